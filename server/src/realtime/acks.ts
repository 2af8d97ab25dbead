// The error ack every handler answers with when it refuses an event (the success acks are each event's own).
import type { ErrorCode } from "@videochat/protocol";
import { TEXTS } from "../error-texts.js";
import { UNAVAILABLE_RETRY_MS } from "../redis/replicated.js";

/** `{ ok: false, error: { code, message } }`: the refusal the client shows `message` of. */
export const fail = (code: ErrorCode, message: string) => ({ ok: false as const, error: { code, message } });

/** The answer to an event whose write Redis could not make durable now (see redis/replicated.ts). */
export const unavailable = () => ({
  ok: false as const,
  error: {
    code: "unavailable" as const,
    message: TEXTS.unavailable,
    retryAfterMs: UNAVAILABLE_RETRY_MS,
  },
});
