// Who is asking, and where the browser thinks it is: X-Forwarded-For/-Host/-Proto count only on a
// request that comes straight from a proxy TRUST_PROXY names, since anyone else can write them.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import proxyaddr from "proxy-addr";

/** proxy-addr's trust function: is `address`, `hop` proxies away from us (0 = our peer), trusted? */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Compiles TRUST_PROXY entries (proxy-addr's `loopback` / `linklocal` / `uniquelocal`, IP addresses,
 * CIDR blocks); an empty list trusts nobody. Throws on an entry that is none of those. Express's
 * `trust proxy` takes the same function, so req.ip, req.protocol and the socket handshake agree.
 */
export function compileTrust(hops: readonly string[]): TrustProxy {
  return hops.length === 0 ? () => false : proxyaddr.compile([...hops]);
}

/** The first value of a header that a chain of proxies may have turned into a list. */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",")[0]?.trim() || undefined;
}

/**
 * The origin the browser sent the request to, e.g. `http://192.168.1.20:3000`, as Express 5 derives
 * req.protocol and req.host: from X-Forwarded-Proto/-Host when our peer is a trusted proxy, otherwise
 * from the connection and the Host header. Undefined without any host.
 */
export function requestedOrigin(req: IncomingMessage, trust: TrustProxy): string | undefined {
  const viaProxy = trust(req.socket.remoteAddress ?? "", 0);
  const direct = (req.socket as Partial<TLSSocket>).encrypted ? "https" : "http";
  const protocol = (viaProxy && firstValue(req.headers["x-forwarded-proto"])) || direct;
  const host = (viaProxy && firstValue(req.headers["x-forwarded-host"])) || req.headers.host;
  return host ? `${protocol}://${host}` : undefined;
}

/**
 * The client's address as Express's req.ip reads it: X-Forwarded-For counts only through proxies
 * `trust` names (from our peer outwards), so a client that reaches us directly cannot choose it.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  return proxyaddr(req, trust);
}
