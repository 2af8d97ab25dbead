// What both composers share: the draft, Enter to send (Shift+Enter for a line, never mid-IME), the
// length check, and giving a failed message back ahead of anything typed since.
import { ref } from "vue";
import { rendersAsNothing } from "@videochat/protocol/text";
import { t } from "../i18n";

export type Delivery = { ok: true } | { ok: false; message?: string };

export function useDraft(options: {
  maxLength: () => number | null;
  deliver: (message: string) => Promise<Delivery>;
  canSend?: () => boolean;
}) {
  const text = ref("");
  const error = ref<string | null>(null);

  async function send(): Promise<void> {
    const draft = text.value;
    const message = draft.trim();
    // Text that shows nothing (spaces, zero-width or filler characters) is not a message: the server refuses it too.
    if (rendersAsNothing(message) || options.canSend?.() === false) return;
    const max = options.maxLength();
    if (max && message.length > max) {
      error.value = t("chat.tooLong", { max });
      return;
    }
    // Cleared at once so the next message can be typed while this one travels.
    text.value = "";
    const delivery = await options.deliver(message);
    error.value = delivery.ok ? null : (delivery.message ?? null);
    if (!delivery.ok) text.value = text.value ? `${draft}\n${text.value}` : draft;
  }

  function onKeydown(event: KeyboardEvent): void {
    // isComposing: Enter that confirms an IME candidate must not send half a word.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    void send();
  }

  return { text, error, send, onKeydown };
}
