// The handshake's Origin check. CORS does not cover WebSocket, so a page on another site could open
// a socket with the user's cookies; we accept only our own origin and the configured allow-list.
import type { IncomingMessage } from "node:http";

export function originAllowed(req: IncomingMessage, allowList: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (tests, CLI clients): they cannot ride a user's session
  if (allowList.includes(origin)) return true;
  const forwarded = req.headers["x-forwarded-host"];
  const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? req.headers.host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
