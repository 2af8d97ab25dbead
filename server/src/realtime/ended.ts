// How the server ends a connection it will not serve: `session:ended` with a reason the SPA shows,
// then the disconnect. Used by session start (too many tabs), the flood cut and session recovery.
import type { AppError } from "@videochat/protocol";
import { TEXTS } from "../error-texts.js";
import type { AppSocket } from "./deps.js";

/** Why a connection ends, by the code it ends with. */
const WHY: Record<"session_unknown" | "name_taken" | "too_many_connections" | "flooding", string> = {
  session_unknown: TEXTS.session_unknown.ended,
  name_taken: TEXTS.name_taken.lost,
  too_many_connections: TEXTS.too_many_connections,
  flooding: TEXTS.flooding.cut,
};

/** What a flooding session's tabs are told (`session:ended`): why, and when they may connect again. */
export function floodingReason(retryAfterMs: number): AppError {
  return { code: "flooding", message: WHY.flooding, retryAfterMs };
}

/**
 * Tells the client why its connection ends, then closes it (after the event is flushed).
 * `retryAfterMs`: how long before this session may connect again (with `flooding`).
 */
export function endConnection(socket: AppSocket, code: keyof typeof WHY, retryAfterMs?: number): void {
  const reason: AppError = { code, message: WHY[code], ...(retryAfterMs ? { retryAfterMs } : {}) };
  socket.emit("session:ended", reason);
  setImmediate(() => socket.disconnect(true));
}
