// Keeps a scrolling log on its newest entry, unless the reader scrolled up to read older ones
// (their own new message, or a fresh feed, still brings them down). A layout change (the private
// chat opening beside the feed, a phone rotating) re-wraps the text: a ResizeObserver keeps a
// following log at the bottom then too. While the reader is scrolled up, new entries are counted.
import { nextTick, onBeforeUnmount, onMounted, ref, watch, type Ref } from "vue";
import { clockTime } from "../features/chat/feed";

/** How far from the bottom still counts as "reading the newest". */
const STICKY_PX = 96;

export interface FollowNewest {
  /** Scrolls to the newest entry and follows again. */
  scrollToNewest: () => void;
  /** Whether the log sticks to its newest entry (false once the reader scrolls up). */
  following: Ref<boolean>;
  /** Entries that arrived while the reader was scrolled up. */
  unseen: Ref<number>;
}

/**
 * `log` is the scrolling element, `content` the element holding the entries (watched for size
 * changes), `entries` the list shown and `isOwn` whether the newest entry is the reader's own.
 */
export function useFollowNewest<T>(
  log: Ref<HTMLElement | null>,
  content: Ref<HTMLElement | null>,
  entries: () => readonly T[],
  isOwn: (newest: T | undefined) => boolean,
): FollowNewest {
  const following = ref(true);
  const unseen = ref(0);
  let resizes: ResizeObserver | undefined;
  /** The last scroll position seen: only a move up is the reader leaving the newest. */
  let lastTop = 0;

  const nearBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_PX;

  function scrollToNewest(): void {
    if (log.value) {
      log.value.scrollTop = log.value.scrollHeight;
      lastTop = log.value.scrollTop;
    }
    following.value = true;
    unseen.value = 0;
  }

  function onScroll(): void {
    const el = log.value;
    if (!el) return;
    // A layout change (the feed narrowed beside a private chat, its text re-wrapped taller) can fire a
    // scroll that leaves the bottom without the reader moving up: that one does not stop following.
    const movedUp = el.scrollTop < lastTop - 1;
    lastTop = el.scrollTop;
    if (nearBottom(el)) {
      following.value = true;
      unseen.value = 0;
    } else if (movedUp) following.value = false;
  }

  onMounted(() => {
    scrollToNewest();
    log.value?.addEventListener("scroll", onScroll, { passive: true });
    if (typeof ResizeObserver === "undefined") return;
    // Both boxes: the log's own (the layout around it changed) and its content's (text re-wrapped).
    resizes = new ResizeObserver(() => {
      if (following.value) scrollToNewest();
    });
    for (const el of [log.value, content.value]) if (el) resizes.observe(el);
  });
  onBeforeUnmount(() => {
    resizes?.disconnect();
    log.value?.removeEventListener("scroll", onScroll);
  });

  watch(
    entries,
    async (now, before) => {
      const el = log.value;
      if (!el) return;
      const follow = following.value || nearBottom(el) || isOwn(now.at(-1)) || before.length === 0;
      if (!follow && now.at(-1) !== before.at(-1)) unseen.value += Math.max(1, now.length - before.length);
      await nextTick();
      if (follow) scrollToNewest();
    },
    { flush: "pre" },
  );
  return { scrollToNewest, following, unseen };
}

export const isoTime = (at: number) => new Date(at).toISOString();

/** The leading space keeps a line's text "Alice 09:05", not "Alice09:05", for screen readers. */
export const spokenTime = (at: number) => ` ${clockTime(at)}`;
