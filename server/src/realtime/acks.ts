// The error ack every handler answers with when it refuses an event (the success acks are each event's own).
import type { ErrorCode } from "@videochat/protocol";

/** `{ ok: false, error: { code, message } }`: the refusal the client shows `message` of. */
export const fail = (code: ErrorCode, message: string) => ({ ok: false as const, error: { code, message } });
