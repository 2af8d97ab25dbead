// Room chat: a message gets the room's next id and a server timestamp, is kept, then fanned out.
import { roomChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { rateLimited } from "./limits.js";
import { postOnce } from "./resend.js";
import { TEXTS } from "../error-texts.js";

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, clock } = deps;

  // All the sessions of one client address together (limit-families.ts, ADDRESS_FAMILIES).
  const perAddress = deps.config.rateLimits["room-message-address"];
  const addressBudget = { points: perAddress.points, windowMs: perAddress.seconds * 1000 };

  // The hot path: one Store round trip (the id and the append) before the broadcast. Membership is
  // this instance's view of the room the socket follows (server state: the Store's answer to its last
  // join or move, follow.ts), and the sender's budget this instance's view of it (post-budgets.ts),
  // which the Store corrects in batches. The race this leaves: a post that crosses a move made through
  // another instance (before its announcement reaches this one, one pub/sub hop) lands in the room
  // the tab still showed, the one being left (docs/performance-floor.md).
  events.on(
    "room:message",
    async (socket, { text, nonce, retry, replyTo }) => {
      const me = socket.data.userId;
      const known = socket.data.session;
      if (!known) return fail("session_unknown", TEXTS.session_unknown.ended);
      const now = clock();
      const waitMs = deps.postBudgets.take(me, now);
      if (waitMs !== null) {
        deps.limits.block("room:message", me, waitMs);
        return rateLimited(waitMs);
      }
      const message = {
        room: known.room,
        from: { id: me, name: known.name },
        text: text.trim(),
        at: now,
        ...(replyTo ? { replyTo } : {}),
      };
      // Only a crowded session's messages spend its address's budget (one INCR in the same step).
      const fromAddress = socket.data.crowded
        ? { ...addressBudget, address: socket.data.address }
        : undefined;
      // Only a re-send after `unavailable` pays the look-up (resend.ts): never the hot path.
      const posted =
        nonce && retry
          ? await postOnce(store, { ...message, nonce }, fromAddress)
          : await store.postRoomMessage(nonce ? { ...message, nonce } : message, fromAddress);
      if (!posted.ok) {
        deps.limits.block("room:message", me, posted.retryAfterMs);
        return rateLimited(posted.retryAfterMs);
      }
      io.to(roomChannel(posted.message.room)).emit("room:message", posted.message);
      deps.roomPosted?.(posted.message.room, posted.message.id);
      return { ok: true, message: posted.message };
    },
    "message_invalid",
  );

  // Typing costs no Store round trip: the socket knows its name and the room it follows.
  events.on("room:typing", async (socket, { typing }) => {
    const known = socket.data.session;
    if (!known) return fail("session_unknown", TEXTS.session_unknown.ended);
    const user = { id: socket.data.userId, name: known.name };
    socket.to(roomChannel(known.room)).emit("room:typing", { room: known.room, user, typing });
    return { ok: true };
  });
}
