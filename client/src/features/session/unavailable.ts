// A request the server refused as `unavailable` (Redis failing over: nothing was confirmed) goes again
// by itself, so a failover shows as a pause, not as an error. Shared by the socket's acks and the API.

/** How long a refused request is sent again before the refusal reaches the UI. */
export const UNAVAILABLE_RETRY_FOR_MS = 15_000;
const DEFAULT_RETRY_AFTER_MS = 500;

/** A fresh id for one message, so a re-send of it can be told from a new one (8-64 of [A-Za-z0-9_-]). */
export function newNonce(): string {
  // getRandomValues, unlike randomUUID, exists on plain-http pages too (a LAN address in development).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A payload carrying a nonce is marked `retry: true` when sent again (see room:message). */
export function asResend<P>(payload: P): P {
  return typeof payload === "object" && payload !== null && "nonce" in payload
    ? { ...payload, retry: true }
    : payload;
}

type Answer = { ok: true } | { ok: false; error: { code: string; retryAfterMs?: number } };

/**
 * Calls `send` until its answer is something other than an `unavailable` refusal, waiting each
 * refusal's `retryAfterMs` in between, for up to `forMs` (or while `canRetry()` holds); resolves with
 * the last answer. `send` hears whether it is a re-send.
 */
export async function retryWhileUnavailable<A extends Answer>(
  send: (retry: boolean) => Promise<A>,
  canRetry: () => boolean = () => true,
  forMs = UNAVAILABLE_RETRY_FOR_MS,
): Promise<A> {
  const giveUpAt = Date.now() + forMs;
  let answer = await send(false);
  while (!answer.ok && answer.error.code === "unavailable" && Date.now() < giveUpAt && canRetry()) {
    const waitMs = answer.error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    answer = await send(true);
  }
  return answer;
}
