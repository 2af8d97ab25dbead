// Who is asking, and where the browser thinks it is: X-Forwarded-For/-Host/-Proto count only on a
// request that comes straight from a proxy TRUST_PROXY names, since anyone else can write them.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { TLSSocket } from "node:tls";
import ipaddr from "ipaddr.js";
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

/** The header nginx proves itself with (TRUST_PROXY_SECRET); never passed on to Express or Engine.IO. */
export const PROXY_SECRET_HEADER = "x-proxy-secret";
/** What a trusted proxy may tell: each is dropped from a request that does not carry the secret. */
const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip"];

/**
 * With TRUST_PROXY_SECRET set, the forwarded headers of a request without `X-Proxy-Secret: <secret>`
 * are dropped before anything reads them (Express's req.ip, the origin check, Socket.IO's handshake), so
 * a local process that sends from the proxy's own address (any process may bind 127.0.0.3) is charged
 * to that address and not to one it names. The secret header itself is always removed.
 */
export function screenForwarded(req: IncomingMessage, secret: string | undefined): void {
  const given = req.headers[PROXY_SECRET_HEADER];
  if (given === undefined && !secret) return;
  delete req.headers[PROXY_SECRET_HEADER];
  if (!secret) return;
  const expected = createHash("sha256").update(secret).digest();
  const presented = createHash("sha256")
    .update(typeof given === "string" ? given : "")
    .digest();
  if (typeof given === "string" && timingSafeEqual(expected, presented)) return;
  for (const name of FORWARDED) delete req.headers[name];
}

/** Screens every request and upgrade of `http` before its other listeners (Express, Engine.IO) see it. */
export function guardForwarded(http: Server, secret: string | undefined): void {
  const screen = (req: IncomingMessage) => screenForwarded(req, secret);
  http.prependListener("request", screen);
  http.prependListener("upgrade", screen);
}

/**
 * What an address is counted as: an IPv4 address as it is (IPv4-mapped IPv6 too), an IPv6 address by
 * its /64, because one host gets a whole /64 to pick addresses from (RFC 4291 §2.5.1, SLAAC).
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address || "unknown";
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}
