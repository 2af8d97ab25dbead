// A phone in a call: the chat opens as a sheet over the whole screen (the stage would be too small
// beside it), titled "Chat and people" with "Back to call" at its top, like Meet's phone layout. Focus
// goes into the sheet and back to "Chat" after it; Escape closes it, as it closes a dialog, unless the
// key was already used inside (the composer's Escape leaves a reply or an edit first).
import { computed, watch, type ComputedRef, type Ref } from "vue";
import { useMediaQuery } from "@vueuse/core";
import { PHONE_QUERY, useCallViewStore } from "../call/callViewStore";
import { CHAT_TOGGLE_ID, focusFirst, SHEET_BACK_ID } from "../../ui/focus";

/** `sheet`: the side panel shows as the phone's sheet; `onKeydown`: the sheet's key handler (Escape). */
export function useChatSheet(stageShown: Readonly<Ref<boolean>>): {
  sheet: ComputedRef<boolean>;
  onKeydown: (event: KeyboardEvent) => void;
} {
  const view = useCallViewStore();
  const onPhone = useMediaQuery(PHONE_QUERY);
  const sheet = computed(() => onPhone.value && stageShown.value && view.chatOpen);
  watch(
    sheet,
    (open, was) => {
      if (open) void focusFirst(SHEET_BACK_ID);
      else if (was) void focusFirst(CHAT_TOGGLE_ID);
    },
    { flush: "post" },
  );

  function onKeydown(event: KeyboardEvent): void {
    if (!sheet.value || event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
    event.preventDefault();
    view.toggleChat();
  }
  return { sheet, onKeydown };
}
