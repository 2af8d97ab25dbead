// Edits, deletes and reactions of kept messages, room and private: the author is checked by the
// Store (identity from the socket only), the history rewritten there, and the changed message sent to
// the room (or both partners) on every instance.
import { MAX_REACTIONS } from "@videochat/protocol/schemas";
import type { ChangeRefusal, MessageChange } from "../state/message-change.js";
import { roomChannel, userChannel } from "./channels.js";
import type { RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { TEXTS } from "../error-texts.js";

/** The error ack of a refused change. */
export function refusal(code: ChangeRefusal | "not_in_room" | "no_private_chat") {
  switch (code) {
    case "not_in_room":
      return fail(code, TEXTS.not_in_room);
    case "no_private_chat":
      return fail(code, TEXTS.no_private_chat.none);
    case "too_many_reactions":
      return fail(code, TEXTS.too_many_reactions(MAX_REACTIONS));
    case "too_many_reactors":
      return fail(code, TEXTS.too_many_reactors);
    default:
      return fail(code, TEXTS[code]);
  }
}

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, clock } = deps;
  const edit = (text: string): MessageChange => ({ kind: "edit", text: text.trim(), at: clock() });
  const react = (emoji: string, on?: boolean): MessageChange => ({
    kind: "react",
    emoji,
    max: MAX_REACTIONS,
    ...(on === undefined ? {} : { on }),
  });

  async function inRoom(userId: string, id: number, change: MessageChange) {
    const changed = await store.changeRoomMessage(userId, id, change);
    if (!changed.ok) return refusal(changed.code);
    io.to(roomChannel(changed.message.room)).emit("room:message-changed", changed.message);
    return { ok: true as const, message: changed.message };
  }

  async function inPrivate(userId: string, id: number, change: MessageChange) {
    const changed = await store.changePrivateMessage(userId, id, change);
    if (!changed.ok) return refusal(changed.code);
    const { chat, message } = changed;
    io.to([userChannel(chat.a.id), userChannel(chat.b.id)]).emit("private:message-changed", message);
    return { ok: true as const, message };
  }

  const me = (socket: { data: { userId: string } }) => socket.data.userId;
  events.on("room:edit", (socket, { id, text }) => inRoom(me(socket), id, edit(text)), "message_invalid");
  events.on("room:delete", (socket, { id }) => inRoom(me(socket), id, { kind: "delete" }));
  events.on("room:react", (socket, { id, emoji, on }) => inRoom(me(socket), id, react(emoji, on)));
  events.on(
    "private:edit",
    (socket, { id, text }) => inPrivate(me(socket), id, edit(text)),
    "message_invalid",
  );
  events.on("private:delete", (socket, { id }) => inPrivate(me(socket), id, { kind: "delete" }));
  events.on("private:react", (socket, { id, emoji, on }) => inPrivate(me(socket), id, react(emoji, on)));
}
