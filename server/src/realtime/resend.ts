// A room message sent again after an `unavailable` refusal (Redis failing over): the first try may
// have been kept after all (written, then the primary changed before a replica confirmed it). Posting
// it again would show it twice, so the re-send first looks for it by the sender's nonce.
import type { AddressLimit, NewRoomMessage, PostResult, Store } from "../state/store.js";

/**
 * Posts `message` unless the room's kept history already holds one from the same sender with the same
 * nonce, which is then the answer (and is broadcast by the caller, since the refused try never was).
 */
export async function postOnce(
  store: Store,
  message: NewRoomMessage & { nonce: string },
  fromAddress?: AddressLimit,
): Promise<PostResult> {
  const history = await store.roomHistory(message.room);
  for (let i = history.length - 1; i >= 0; i--) {
    const kept = history[i]!;
    if (kept.nonce === message.nonce && kept.from.id === message.from.id) return { ok: true, message: kept };
  }
  return store.postRoomMessage(message, fromAddress);
}
