// How this tab shows its call (not what the call is): the layout the user picked, a pinned tile, the
// self-view's corner and whether it is hidden, and whether the chat panel is open with what arrived
// while it was closed. The room screen and the stage both read it; nothing here reaches the server.
import { defineStore } from "pinia";
import { computed, ref, watch } from "vue";
import { useChatStore } from "../chat/chatStore";
import { usePrivateChatStore } from "../private/privateChatStore";
import type { Corner, LayoutMode } from "./layout";

/** Below this width the chat is a sheet over the stage and starts closed; above, a side panel that starts open. */
export const PHONE_QUERY = "(max-width: 720px)";

const onPhone = (): boolean => typeof matchMedia === "function" && matchMedia(PHONE_QUERY).matches;

export const useCallViewStore = defineStore("callView", () => {
  const chat = useChatStore();
  const privateChat = usePrivateChatStore();

  const mode = ref<LayoutMode>("grid");
  const pinned = ref<string | null>(null);
  const selfHidden = ref(false);
  const selfCorner = ref<Corner>("bottom-right");
  const chatOpen = ref(!onPhone());
  /** Room messages that arrived while the chat was closed. */
  const roomUnread = ref(0);

  watch(
    () => chat.feed.filter((entry) => entry.kind === "message").length,
    (count, before) => {
      if (!chatOpen.value && count > before) roomUnread.value += count - before;
    },
  );

  /** Room messages unseen plus private ones: the number on the Chat button. */
  const unread = computed(() => roomUnread.value + privateChat.unread);

  function toggleChat(): void {
    chatOpen.value = !chatOpen.value;
    if (chatOpen.value) roomUnread.value = 0;
  }
  /** Pins a tile by key (it takes the stage), or unpins it when it is the pinned one. */
  function togglePin(key: string): void {
    pinned.value = pinned.value === key ? null : key;
  }
  /** A call ended: the next one starts as the user would expect, with the chat as this device shows it. */
  function reset(): void {
    pinned.value = null;
    chatOpen.value = !onPhone();
    roomUnread.value = 0;
  }

  return { mode, pinned, selfHidden, selfCorner, chatOpen, unread, toggleChat, togglePin, reset };
});
