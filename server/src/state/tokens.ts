// Session identifiers and tokens. Only a digest of each token is stored, so a Store dump grants nobody a session.
import { createHash, randomBytes, randomUUID } from "node:crypto";

/**
 * "<session id>.<32 random bytes, base64url>": the session's id says where to look, the stored digest
 * of the whole token whether it is the right one, so no key maps tokens to sessions.
 */
export function newToken(sessionId: string): string {
  return `${sessionId}.${randomBytes(32).toString("base64url")}`;
}

/** The session id a token names (not yet checked against its digest); "" when it names none. */
export function sessionIdOf(token: string): string {
  const dot = token.indexOf(".");
  return dot > 0 ? token.slice(0, dot) : "";
}

export function newSessionId(): string {
  return randomUUID();
}

export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
