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

  const { points, seconds } = deps.config.rateLimits["room-message"];
  const budget = { points, windowMs: seconds * 1000 };
  // All the sessions of one client address together (limit-families.ts, ADDRESS_FAMILIES).
  const perAddress = deps.config.rateLimits["room-message-address"];
  const addressBudget = { points: perAddress.points, windowMs: perAddress.seconds * 1000 };

  // The hot path: one Store round trip (membership, budgets and append in one step) before the
  // broadcast. The socket knows its name and the room it follows; if that view is behind (a move
  // made in another tab), the Store says not_in_room and the session is read once.
  events.on(
    "room:message",
    async (socket, { text, nonce, retry, replyTo }) => {
      const me = socket.data.userId;
      const known = socket.data.session;
      let posted = known && (await post(known.room, known.name));
      if (!posted || (!posted.ok && posted.code === "not_in_room")) {
        const session = await store.getSession(me);
        if (!session) return fail("session_unknown", TEXTS.session_unknown.ended);
        posted = await post(session.room, session.name);
        if (!posted.ok && posted.code === "not_in_room") return fail("not_in_room", TEXTS.not_in_room);
      }
      if (!posted.ok) {
        deps.limits.block("room:message", me, posted.retryAfterMs);
        return rateLimited(posted.retryAfterMs);
      }
      io.to(roomChannel(posted.message.room)).emit("room:message", posted.message);
      deps.roomPosted?.(posted.message.room, posted.message.id);
      return { ok: true, message: posted.message };

      function post(room: string, name: string) {
        const message = {
          room,
          from: { id: me, name },
          text: text.trim(),
          at: clock(),
          ...(replyTo ? { replyTo } : {}),
        };
        // Only a crowded session's messages spend its address's budget (one INCR in the same step).
        const fromAddress = socket.data.crowded
          ? { ...addressBudget, address: socket.data.address }
          : undefined;
        // Only a re-send after `unavailable` pays the look-up (resend.ts): never the hot path.
        if (nonce && retry) return postOnce(store, { ...message, nonce }, budget, fromAddress);
        return store.postRoomMessage(nonce ? { ...message, nonce } : message, budget, fromAddress);
      }
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
