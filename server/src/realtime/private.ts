// Private chat: one at a time per user, opened only with a member of the same room. Messages and
// notices go to the two partners' user channels (every tab, any instance) and to nobody else.
import type { PrivateCloseReason, UserRef } from "@videochat/protocol";
import type { ClosedChat, PrivateChatRecord } from "../state/store.js";
import { roomChannel, userChannel } from "./channels.js";
import type { AppSocket, RealtimeDeps } from "./deps.js";
import { fail } from "./acks.js";
import type { Events } from "./handler.js";
import { TEXTS } from "../error-texts.js";
import { refuseIfUnavailable, tellBusy } from "./reach.js";

type Deps = Pick<RealtimeDeps, "io" | "store">;

export const partnerOf = (chat: PrivateChatRecord, userId: string): UserRef =>
  chat.a.id === userId ? chat.b : chat.a;

const NO_CHAT = fail("no_private_chat", TEXTS.no_private_chat.none);

/** Closes a chat (ending its call first) and tells both partners and their rooms. */
export async function closeChat(
  deps: Deps,
  chatId: string,
  by: UserRef,
  reason: PrivateCloseReason,
): Promise<void> {
  const closed = await deps.store.closePrivateChat(chatId);
  if (closed) announceClosed(deps, closed, by, reason);
}

/** Tells both partners (every tab) that their chat closed, its call first, and their rooms the busy flags. */
export function announceClosed(
  deps: Pick<Deps, "io">,
  { chat, changes }: ClosedChat,
  by: UserRef,
  reason: PrivateCloseReason,
): void {
  const both = deps.io.to([userChannel(chat.a.id), userChannel(chat.b.id)]);
  if (chat.call) both.emit("call:ended", { callId: chat.call.id, reason: "chat_closed" });
  both.emit("private:closed", { chatId: chat.id, by, reason });
  for (const change of changes) deps.io.to(roomChannel(change.room)).emit("room:member-updated", change);
}

/** Sends a resuming tab its open chat, with the messages and the call it may have missed. */
export async function resendChat(deps: Deps, socket: AppSocket, chatId: string): Promise<void> {
  const [chat, messages] = await Promise.all([
    deps.store.getPrivateChat(chatId),
    deps.store.privateHistory(chatId),
  ]);
  if (!chat) return;
  const withWhom = partnerOf(chat, socket.data.userId);
  socket.emit("private:opened", {
    chat: { id: chat.id, with: withWhom },
    messages,
    ...(chat.call ? { call: chat.call } : {}),
  });
}

export function register(events: Events, deps: RealtimeDeps): void {
  const { io, store, clock } = deps;

  events.on("private:open", async (socket, { with: partnerId }) => {
    const me = socket.data.userId;
    const refused = await refuseIfUnavailable(deps, me, partnerId, "chat");
    if (refused) return refused;
    const opened = await store.openPrivateChat(me, partnerId);
    if (!opened.ok) {
      switch (opened.code) {
        case "partner_busy":
          await tellBusy(deps, me, partnerId, "chat");
          return fail("partner_busy", TEXTS.partner_busy(opened.partnerName));
        case "already_in_chat":
          return fail("already_in_chat", TEXTS.already_in_chat.private);
        case "session_unknown":
          return fail("session_unknown", TEXTS.session_unknown.ended);
        default:
          return fail("partner_unavailable", TEXTS.partner_unavailable);
      }
    }
    const { chat, changes } = opened;
    for (const change of changes) io.to(roomChannel(change.room)).emit("room:member-updated", change);
    // The pair's earlier chats, kept for PRIVATE_HISTORY_TTL_MS: a reopened chat shows them.
    const messages = await store.privateHistory(chat.id);
    io.to(userChannel(chat.a.id)).emit("private:opened", { chat: { id: chat.id, with: chat.b }, messages });
    io.to(userChannel(chat.b.id)).emit("private:opened", { chat: { id: chat.id, with: chat.a }, messages });
    return { ok: true, chat: { id: chat.id, with: partnerOf(chat, me) } };
  });

  events.on(
    "private:message",
    async (socket, { text, replyTo }) => {
      // One Store round trip before the broadcast: the session's chat, its partners and the append.
      const posted = await store.postPrivateMessage(socket.data.userId, {
        text: text.trim(),
        at: clock(),
        ...(replyTo ? { replyTo } : {}),
      });
      if (!posted) return NO_CHAT;
      const { chat, message } = posted;
      io.to([userChannel(chat.a.id), userChannel(chat.b.id)]).emit("private:message", message);
      return { ok: true, message };
    },
    "message_invalid",
  );

  events.on("private:typing", async (socket, { typing }) => {
    const me = socket.data.userId;
    const session = await store.getSession(me);
    const chat = session?.chatId ? await store.getPrivateChat(session.chatId) : null;
    if (!chat) return NO_CHAT;
    io.to(userChannel(partnerOf(chat, me).id)).emit("private:typing", { chatId: chat.id, typing });
    return { ok: true };
  });

  events.on("private:close", async (socket) => {
    const me = socket.data.userId;
    const session = await store.getSession(me);
    if (!session?.chatId) return NO_CHAT;
    await closeChat(deps, session.chatId, { id: me, name: session.name }, "closed");
    return { ok: true };
  });
}
