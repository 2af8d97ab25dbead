// The one private chat a user can have: opening and closing it, its messages, typing, notices and
// the unread count that reaches the title and a notification while the tab is in the background.
import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import type { PrivateChat, PrivateClosed, PrivateMessage, RoomState, UserRef } from "@videochat/protocol";
import { askNotificationPermission } from "../../ui/attention";
import { request } from "../session/socket";
import { closedNotice, mergePrivateMessages, replacePrivateMessage } from "./privateFeed";
import { createTypingSignal } from "../chat/typing";
import { useSessionStore } from "../session/sessionStore";
import { createUnreadCounter } from "./unread";
import { createMessageActions, type AnyMessage } from "../messages/messageActions";
import { listen } from "../session/listen";
import { t } from "../../i18n";
import { errorText } from "../../i18n/errors";

/** How long "is typing…" stays without news: the partner's tab may have gone away mid-word. */
export const PARTNER_TYPING_TTL_MS = 5000;

export const usePrivateChatStore = defineStore("privateChat", () => {
  const chat = ref<PrivateChat | null>(null);
  const messages = shallowRef<PrivateMessage[]>([]);
  /** Set when the chat was ended by the partner: it stays readable but can no longer be written to. */
  const closed = ref<PrivateClosed | null>(null);
  /** About the last attempt to open a chat, e.g. "Bob is already talking with someone else". */
  const notice = ref<string | null>(null);
  /** Inside the chat: why it ended, or why closing it failed. */
  const chatNotice = ref<string | null>(null);
  const sendError = ref<string | null>(null);
  const partnerTyping = ref(false);
  /** The member a chat is being opened with, while the server decides. */
  const opening = ref<string | null>(null);
  let partnerTypingTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSend: Promise<unknown> = Promise.resolve();

  const canWrite = computed(() => chat.value !== null && closed.value === null);
  const typing = createTypingSignal((value) => void request("private:typing", { typing: value }));
  const selfId = () => useSessionStore().user?.id ?? null;
  const unread = createUnreadCounter();

  /** An edit, a delete or a reaction in the pair's history: the log shows the message as it now is. */
  function onMessageChanged(message: AnyMessage): void {
    if ("chatId" in message) messages.value = replacePrivateMessage(messages.value, message);
  }
  const actions = createMessageActions("private", onMessageChanged);

  function setPartnerTyping(value: boolean): void {
    clearTimeout(partnerTypingTimer);
    partnerTyping.value = value;
    if (value) partnerTypingTimer = setTimeout(() => (partnerTyping.value = false), PARTNER_TYPING_TTL_MS);
  }

  function adopt(opened: PrivateChat, list: PrivateMessage[]): void {
    chat.value = opened;
    messages.value = mergePrivateMessages([], list);
    closed.value = null;
    chatNotice.value = null;
    notice.value = null;
    sendError.value = null;
    unread.clear();
    setPartnerTyping(false);
    typing.reset();
    actions.cancel();
  }

  function onOpened(payload: { chat: PrivateChat; messages: PrivateMessage[] }): void {
    // A resume re-sends the chat with its messages; merge so nothing shows twice. It also proves the
    // chat is still open, whatever we concluded while offline.
    if (chat.value?.id === payload.chat.id) {
      const refreshed = payload.messages.reduce(replacePrivateMessage, messages.value);
      messages.value = mergePrivateMessages(refreshed, payload.messages);
      closed.value = null;
      chatNotice.value = null;
      return;
    }
    adopt(payload.chat, payload.messages);
    const name = payload.chat.with.name;
    unread.arrived(t("private.openTitle", { name }), t("private.openBody", { name }));
  }

  function onMessage(message: PrivateMessage): void {
    if (message.chatId !== chat.value?.id) return;
    messages.value = mergePrivateMessages(messages.value, [message]);
    if (message.from.id === selfId()) return;
    setPartnerTyping(false);
    unread.arrived(message.from.name, message.text);
  }

  function onTyping(payload: { chatId: string; typing: boolean }): void {
    if (payload.chatId === chat.value?.id && !closed.value) setPartnerTyping(payload.typing);
  }

  function onClosed(payload: PrivateClosed): void {
    if (payload.chatId !== chat.value?.id) return;
    // Our own close (from this tab or another one): the chat simply goes away.
    if (payload.by.id === selfId()) return clear();
    closed.value = payload;
    chatNotice.value = closedNotice(payload);
    setPartnerTyping(false);
    typing.reset();
  }

  /**
   * A resume cannot replay a private:closed missed while offline, but the room's state says whether
   * we are still in a chat: not busy any more means the chat ended meanwhile.
   */
  function onRoomState(state: RoomState): void {
    const me = state.members.find((member) => member.id === selfId());
    if (!chat.value || closed.value || !me || me.busy) return;
    closed.value = { chatId: chat.value.id, by: chat.value.with, reason: "closed" };
    chatNotice.value = t("private.chatEnded");
  }

  /** Opens a chat with a member of the room; the click that calls this also asks for notifications. */
  async function open(member: UserRef): Promise<boolean> {
    askNotificationPermission();
    if (chat.value?.with.id === member.id && !closed.value) return true;
    if (opening.value) return false; // a double click must not read as "already in a chat"
    opening.value = member.id;
    notice.value = null;
    const ack = await request("private:open", { with: member.id });
    opening.value = null;
    if (!ack.ok) {
      notice.value = errorText(ack.error, { event: "private:open", name: member.name });
      return false;
    }
    // private:opened may come before or after this ack; whichever is first sets the chat up (and
    // the pair's earlier messages come with private:opened, merged then).
    if (chat.value?.id !== ack.chat.id) adopt(ack.chat, []);
    return true;
  }

  /** Resolves with whether the message was sent; sends go out in order, one after the other. */
  function send(text: string): Promise<boolean> {
    typing.stop();
    const replyTo = actions.replyingTo.value?.id;
    actions.cancel();
    const result = lastSend.then(async () => {
      if (!canWrite.value) return false;
      const ack = await request("private:message", { text, ...(replyTo ? { replyTo } : {}) });
      if (!ack.ok) {
        sendError.value = ack.error.message;
        return false;
      }
      sendError.value = null;
      if (ack.message.chatId === chat.value?.id) {
        messages.value = mergePrivateMessages(messages.value, [ack.message]);
      }
      return true;
    });
    lastSend = result;
    return result;
  }

  async function close(): Promise<void> {
    const current = chat.value;
    if (!current) return;
    if (closed.value) return clear(); // the partner already ended it: just put it away
    const ack = await request("private:close", {});
    if (ack.ok || ack.error.code === "no_private_chat") {
      if (chat.value?.id === current.id) clear();
    } else {
      chatNotice.value = ack.error.message;
    }
  }

  function clear(): void {
    chat.value = null;
    messages.value = [];
    closed.value = null;
    chatNotice.value = null;
    sendError.value = null;
    unread.clear();
    setPartnerTyping(false);
    typing.reset();
    actions.cancel();
  }

  function reset(): void {
    clear();
    notice.value = null;
    opening.value = null;
  }

  function noteTyping(): void {
    if (canWrite.value) typing.note();
  }

  listen(
    {
      "private:opened": onOpened,
      "private:message": onMessage,
      "private:typing": onTyping,
      "private:closed": onClosed,
      "private:message-changed": onMessageChanged,
      "room:state": onRoomState,
    },
    () => {
      clearTimeout(partnerTypingTimer);
      typing.reset();
    },
  );

  useSessionStore().onSessionEvent("reset", reset);

  return {
    chat,
    messages,
    closed,
    notice,
    chatNotice,
    sendError,
    partnerTyping,
    unread: unread.unread,
    opening,
    canWrite,
    actions,
    open,
    send,
    close,
    reset,
    setInView: unread.setInView,
    noteTyping,
    stopTyping: typing.stop,
  };
});
