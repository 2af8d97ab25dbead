// The room feed: history and live messages merged by id (the group call's started / ended lines are
// kept there by the server), plus the system lines of membership deltas; sending a message.
import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import type { ChatMessage, RoomState } from "@videochat/protocol";
import {
  appendSystemLine,
  type FeedEntry,
  lastMessageId,
  mergeMessages,
  notePresence,
  replaceMessage,
  systemLineFor,
} from "./feed";
import type { MemberDelta } from "../room/members";
import { createMessageActions, type AnyMessage } from "../messages/messageActions";
import { request, type RequestResult } from "../session/socket";
import { listen } from "../session/listen";
import { useSessionStore } from "../session/sessionStore";
import { newNonce } from "../session/unavailable";

export type ChatStatus = "idle" | "sending";

/** Messages of a room we are entering, held until its room:state arrives. */
const EARLY_LIMIT = 100;

export const useChatStore = defineStore("chat", () => {
  /** The room the feed belongs to. */
  const room = ref<string | null>(null);
  const feed = shallowRef<FeedEntry[]>([]);
  const status = ref<ChatStatus>("idle");
  const error = ref<string | null>(null);
  let early: ChatMessage[] = [];

  const lastSeenMessageId = computed(() => lastMessageId(feed.value));

  /**
   * Called by the room store, which owns room:state, so that the feed is replaced before the system
   * lines of deltas that arrived early are added to it.
   */
  function receiveRoomState(state: RoomState): void {
    const arrivedEarly = early.filter((m) => m.room === state.room);
    early = [];
    // Same room: a resume that carries only what we missed. Another room: a fresh feed.
    const sameRoom = state.room === room.value;
    const base = sameRoom ? feed.value : [];
    room.value = state.room;
    // Edits, deletes and reactions the state's history carries replace what the feed kept.
    const refreshed = state.history.reduce((entries, message) => replaceMessage(entries, message), base);
    feed.value = mergeMessages(refreshed, [...state.history, ...arrivedEarly]);
    if (!sameRoom) actions.cancel();
  }

  function onRoomMessage(message: ChatMessage): void {
    if (message.room !== room.value) {
      early = [...early, message].slice(-EARLY_LIMIT);
      return;
    }
    feed.value = mergeMessages(feed.value, [message]);
  }

  function addSystemLine(text: string): void {
    feed.value = appendSystemLine(feed.value, text);
  }

  /** A member came or went: plain joins and leaves collapse into one line per minute. */
  function addMemberLine(delta: MemberDelta): void {
    if (delta.kind === "joined") feed.value = notePresence(feed.value, "joined", delta.member.name);
    else if (delta.kind === "left" && delta.reason === "left")
      feed.value = notePresence(feed.value, "left", delta.member.name);
    else {
      const line = systemLineFor(delta);
      if (line) addSystemLine(line);
    }
  }

  /** An edit, a delete or a reaction: the feed shows the message as it now is. */
  function onMessageChanged(message: AnyMessage): void {
    if ("room" in message && message.room === room.value) feed.value = replaceMessage(feed.value, message);
  }
  const actions = createMessageActions("room", onMessageChanged);

  let sending = 0;
  let lastSend: Promise<unknown> = Promise.resolve();

  /**
   * Resolves with the ack so the composer can keep the text when sending failed. Sends go out one
   * after another, so a quick second message cannot overtake the first on the server.
   */
  function send(text: string): Promise<RequestResult<"room:message">> {
    sending += 1;
    status.value = "sending";
    const replyTo = actions.replyingTo.value?.id;
    actions.cancel();
    const result = lastSend.then(async () => {
      const ack = await request("room:message", { text, nonce: newNonce(), ...(replyTo ? { replyTo } : {}) });
      sending -= 1;
      if (sending === 0) status.value = "idle";
      if (ack.ok) {
        error.value = null;
        if (ack.message.room === room.value) feed.value = mergeMessages(feed.value, [ack.message]);
      } else {
        error.value = ack.error.message;
      }
      return ack;
    });
    lastSend = result;
    return result;
  }

  function reset(): void {
    room.value = null;
    feed.value = [];
    early = [];
    status.value = "idle";
    error.value = null;
    actions.cancel();
  }

  listen({
    "room:message": onRoomMessage,
    "room:message-changed": onMessageChanged,
  });

  useSessionStore().onSessionEvent("reset", reset);
  // A reconnection asks only for the room messages this tab has not seen.
  useSessionStore().resumeFrom(() => ({
    lastMessageId: lastSeenMessageId.value,
    lastRoom: room.value ?? undefined,
  }));

  return {
    room,
    feed,
    status,
    error,
    lastMessageId: lastSeenMessageId,
    receiveRoomState,
    addSystemLine,
    addMemberLine,
    actions,
    send,
    reset,
  };
});
