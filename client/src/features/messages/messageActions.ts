// What a person does to messages of one log (the room's or the private chat's): react, reply, edit and
// delete, and the composer's mode (replying to a message, or editing one). A store owns one per log.
import { markRaw, ref, shallowRef } from "vue";
import type { ChatMessage, PrivateMessage } from "@videochat/protocol";
import { quoteLine } from "@videochat/protocol/text";
import { request } from "../session/socket";

/** A message of either log: both carry the same extras (reactions, replyTo, editedAt, deleted). */
export type AnyMessage = ChatMessage | PrivateMessage;

/** Which log: its events are `<scope>:edit`, `<scope>:delete`, `<scope>:react`. */
export type MessageScope = "room" | "private";

/**
 * The actions of one log. `apply` puts a changed message (from an ack or a `*:message-changed` event)
 * into the store's list. Every action resolves with null, or the error text to show. The object is
 * raw (markRaw): a store hands it out as it is, its refs not unwrapped.
 */
export function createMessageActions(scope: MessageScope, apply: (message: AnyMessage) => void) {
  /** The message the composer is replying to, shown quoted above it. */
  const replyingTo = shallowRef<AnyMessage | null>(null);
  /** The message the composer is editing: its text is in the composer until saved or cancelled. */
  const editing = shallowRef<AnyMessage | null>(null);
  /** The last action's error, for the log to show. */
  const error = ref<string | null>(null);

  async function settle(
    ack: { ok: true; message: AnyMessage } | { ok: false; error: { message: string } },
  ): Promise<string | null> {
    if (ack.ok) apply(ack.message);
    error.value = ack.ok ? null : ack.error.message;
    return error.value;
  }

  return markRaw({
    replyingTo,
    editing,
    error,
    /** Sets (`on`) or takes back the user's reaction: idempotent, so a re-send cannot undo it. */
    react: async (id: number, emoji: string, on: boolean) =>
      settle(await request(`${scope}:react`, { id, emoji, on })),
    remove: async (id: number) => {
      if (editing.value?.id === id) editing.value = null;
      return settle(await request(`${scope}:delete`, { id }));
    },
    /** Saves the edit in progress with `text`; the composer's mode goes back to writing. */
    saveEdit: async (text: string) => {
      const target = editing.value;
      if (!target) return null;
      const failed = await settle(await request(`${scope}:edit`, { id: target.id, text }));
      if (!failed) editing.value = null;
      return failed;
    },
    startReply: (message: AnyMessage) => {
      editing.value = null;
      replyingTo.value = message;
    },
    startEdit: (message: AnyMessage) => {
      replyingTo.value = null;
      editing.value = message;
    },
    /** Leaves replying or editing (Escape, "Cancel reply", "Cancel edit", a sent reply). */
    cancel: () => {
      replyingTo.value = null;
      editing.value = null;
    },
  });
}

export type MessageActions = ReturnType<typeof createMessageActions>;

/** The user's last message that can still be edited (Up arrow in an empty composer), if any. */
export function lastEditable(messages: readonly AnyMessage[], selfId: string | null): AnyMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i]!;
    if (message.from.id === selfId && !message.deleted && !("call" in message && message.call))
      return message;
  }
  return undefined;
}

/**
 * `reply` with its quote of `changed` brought up to date (the server rewrites kept quotes too, but
 * sends only the changed message): the new first line, or emptied and marked deleted.
 */
export function requote<M extends AnyMessage>(reply: M, changed: AnyMessage): M {
  if (reply.replyTo?.id !== changed.id) return reply;
  // The Store's own rule (at most QUOTE_BYTES of the first line), so a live edit shows what a reload does.
  const text = changed.deleted ? "" : quoteLine(changed.text);
  return { ...reply, replyTo: { ...reply.replyTo, text, ...(changed.deleted ? { deleted: true } : {}) } };
}
