// The composer's modes besides writing: replying to a message (quoted above it) and editing one
// (its text in the composer). Up arrow in an empty composer edits one's last message, Escape leaves
// either mode, as in Slack and Discord.
import { nextTick, watch, type Ref } from "vue";
import { lastEditable, type AnyMessage, type MessageActions } from "./messageActions";

export function useComposerMode(options: {
  actions: MessageActions;
  text: Ref<string>;
  field: Readonly<Ref<HTMLTextAreaElement | null>>;
  messages: () => readonly AnyMessage[];
  selfId: () => string | null;
}) {
  const { actions, text, field } = options;

  function focusEnd(): void {
    void nextTick(() => {
      const el = field.value;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  }

  // Editing puts the message's text into the composer; leaving the edit takes it out again.
  watch(actions.editing, (message, before) => {
    if (message) {
      text.value = message.text;
      focusEnd();
    } else if (before && text.value === before.text) text.value = "";
  });
  watch(actions.replyingTo, (message) => message && focusEnd());

  /** Handles Up arrow and Escape; true when the key was used. */
  function onModeKey(event: KeyboardEvent): boolean {
    if (event.isComposing) return false;
    if (event.key === "Escape" && (actions.editing.value || actions.replyingTo.value)) {
      event.preventDefault();
      actions.cancel();
      return true;
    }
    if (event.key === "ArrowUp" && text.value === "" && !event.shiftKey) {
      const last = lastEditable(options.messages(), options.selfId());
      if (!last) return false;
      event.preventDefault();
      actions.startEdit(last);
      return true;
    }
    return false;
  }

  /** Sends `message` as the edit in progress, or hands it to `send` (with the reply, if any). */
  async function deliver(
    message: string,
    send: (text: string) => Promise<{ ok: true } | { ok: false; message?: string }>,
  ) {
    if (!actions.editing.value) return send(message);
    const failed = await actions.saveEdit(message);
    return failed ? { ok: false as const, message: failed } : { ok: true as const };
  }

  return { onModeKey, deliver };
}
