// The handshake's Origin check. CORS does not cover WebSocket (RFC 6455 §10.2 leaves the Origin to the
// server), so without it any site a user visits could open sockets here, and a DNS-rebinding page
// (evil.example resolving to this server) would even look same-origin.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { requestedOrigin, type TrustProxy } from "../http/proxy.js";

export interface OriginPolicy {
  /** PUBLIC_ORIGINS, normalised: when set, exactly these origins and no other. */
  publicOrigins: readonly string[];
  trust: TrustProxy;
  /** Lower-case names this machine answers to, which no public DNS can point elsewhere. */
  ownHostNames: readonly string[];
}

export type OriginVerdict = { ok: true } | { ok: false; message: string };

/** This machine's host name and its mDNS (`.local`) name: what a phone on the LAN may type. */
export function ownHostNames(name = hostname()): string[] {
  const lower = name.toLowerCase();
  return [lower, `${lower}.local`];
}

/**
 * Whether a page on `host` can only be this server: loopback names (RFC 6761 §6.3: resolved locally,
 * never by DNS), IP literals (nothing to resolve) and this machine's own names. Any other name could
 * resolve to an attacker first and to us a moment later.
 */
function cannotBeRebound(host: string, ownNames: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name.replace(/^\[(.*)\]$/, "$1"))) return true;
  return ownNames.includes(name);
}

const refuse = (reason: string): OriginVerdict => ({ ok: false, message: `origin_forbidden: ${reason}` });

function originOf(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides whether a Socket.IO handshake may go on. With PUBLIC_ORIGINS: its Origin must be one of them.
 * Without (development, `npm start` on a LAN): the page must be same-origin with the request, on a
 * host that cannot be rebound. The refusal's message starts with the error code `origin_forbidden`.
 */
export function checkOrigin(req: IncomingMessage, policy: OriginPolicy): OriginVerdict {
  const header = req.headers.origin;
  // No Origin: not a page. Browsers send it on every WebSocket handshake (RFC 6455 §4.1) and on every
  // CORS or non-GET request (Fetch, "append a request Origin header"). The one exception, a no-cors
  // GET, gets an opaque response, so a page never reads the polling sid, and the Socket.IO CONNECT
  // that presents a token is a POST, which carries Origin. A program without Origin could write any
  // header anyway, and rides no user's ambient credentials: identity is the token it must hold.
  if (header === undefined) return { ok: true };
  const page = originOf(header);
  if (!page || page.origin === "null") return refuse(`the page's origin (${header}) is opaque.`);
  if (policy.publicOrigins.length > 0) {
    return policy.publicOrigins.includes(page.origin)
      ? { ok: true }
      : refuse(`${page.origin} is not one of this server's public origins (PUBLIC_ORIGINS).`);
  }
  const own = originOf(requestedOrigin(req, policy.trust));
  if (page.origin !== own?.origin) {
    return refuse(`a page on ${page.origin} may not connect to ${own?.origin ?? "this server"}.`);
  }
  if (!cannotBeRebound(page.hostname, policy.ownHostNames)) {
    return refuse(
      `${page.hostname} could be any server's name (DNS rebinding): list ${page.origin} in PUBLIC_ORIGINS.`,
    );
  }
  return { ok: true };
}
