// How the server ends a connection it will not serve: `session:ended` with a reason the SPA shows,
// then the disconnect. Used by session start (too many tabs), the flood cut and session recovery.
import type { AppError } from "@videochat/protocol";
import type { AppSocket } from "./deps.js";

const WHY: Record<"session_unknown" | "name_taken" | "too_many_connections" | "flooding", string> = {
  session_unknown: "Your session has ended. Join again.",
  name_taken: "Your session ended and someone else has taken your name meanwhile. Choose another one.",
  too_many_connections: "This session is open in too many tabs. Close one, then reload.",
  flooding: "This tab sent far too many events too fast, so the server closed its connection.",
};

/**
 * Tells the client why its connection ends, then closes it (after the event is flushed).
 * `retryAfterMs`: how long before this session may connect again (with `flooding`).
 */
export function endConnection(socket: AppSocket, code: keyof typeof WHY, retryAfterMs?: number): void {
  const reason: AppError = { code, message: WHY[code], ...(retryAfterMs ? { retryAfterMs } : {}) };
  socket.emit("session:ended", reason);
  setImmediate(() => socket.disconnect(true));
}
