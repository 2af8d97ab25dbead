// Keeps a scrolling log on its newest entry, unless the reader scrolled up to read older ones
// (their own new message, or a fresh feed, still brings them down).
import { nextTick, onMounted, watch, type Ref } from "vue";
import { clockTime } from "./feed";

/** How far from the bottom still counts as "reading the newest". */
const STICKY_PX = 96;

export function useFollowNewest<T>(
  log: Ref<HTMLElement | null>,
  entries: () => T[],
  isOwn: (newest: T | undefined) => boolean,
): () => void {
  const scrollToNewest = () => {
    if (log.value) log.value.scrollTop = log.value.scrollHeight;
  };
  onMounted(scrollToNewest);
  watch(
    entries,
    async (now, before) => {
      const el = log.value;
      if (!el) return;
      const wasNearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_PX;
      const follow = wasNearBottom || isOwn(now.at(-1)) || before.length === 0;
      await nextTick();
      if (follow) scrollToNewest();
    },
    { flush: "pre" },
  );
  return scrollToNewest;
}

export const isoTime = (at: number) => new Date(at).toISOString();

/** The leading space keeps a line's text "Alice 09:05", not "Alice09:05", for screen readers. */
export const spokenTime = (at: number) => ` ${clockTime(at)}`;
