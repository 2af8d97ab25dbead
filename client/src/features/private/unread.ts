// The private chat's unread count: what arrived while the tab was hidden or the chat scrolled out of
// view. It reaches the title ("(2) Video Chat") and, while the tab is hidden, a system notification.
import { useEventListener } from "@vueuse/core";
import { ref, watch } from "vue";
import { notify, showUnreadInTitle } from "../../ui/attention";

export function createUnreadCounter() {
  const unread = ref(0);
  const inView = ref(true);
  const unseen = () => document.hidden || !inView.value;

  /** Something the user should notice arrived; counts only if they cannot see it now. */
  function arrived(title: string, body: string): void {
    if (!unseen()) return;
    unread.value += 1;
    if (document.hidden) notify(title, body, "private-chat");
  }

  function markSeen(): void {
    if (!unseen()) unread.value = 0;
  }

  function setInView(value: boolean): void {
    inView.value = value;
    markSeen();
  }

  watch(unread, (count) => showUnreadInTitle(count));
  useEventListener(document, "visibilitychange", markSeen);

  return { unread, arrived, setInView, clear: () => (unread.value = 0) };
}
