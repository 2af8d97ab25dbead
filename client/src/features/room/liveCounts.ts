// Live room counts cost the server a delivery per watcher per change, so a tab watches only while a
// person can see them: while the page is visible and the screen that shows them is open.
import { useDocumentVisibility } from "@vueuse/core";
import { onScopeDispose, watch } from "vue";
import type { RoomsResponse } from "@videochat/protocol";
import { tabId } from "../session/tabStorage";

/** Runs `start` while the document is visible (again after each return), stopping it when hidden. */
export function whileVisible(start: () => () => void): void {
  let stop: (() => void) | null = null;
  const visibility = useDocumentVisibility();
  watch(
    visibility,
    (state) => {
      if (state === "visible") stop ??= start();
      else {
        stop?.();
        stop = null;
      }
    },
    // Synchronous, as the event it stands for: a hidden tab stops watching at once.
    { immediate: true, flush: "sync" },
  );
  onScopeDispose(() => stop?.());
}

/**
 * The join screen's counts, which it reads without a socket: server-sent events from
 * GET /api/rooms/live, every room first, then the rooms that changed. EventSource reconnects by itself
 * (and the first event after that lists every room again). Returns the function that closes it.
 */
export function streamRoomCounts(onCounts: (counts: RoomsResponse) => void): () => void {
  if (typeof EventSource === "undefined") return () => {};
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    // Named like every API request, so nginx keeps this tab on one instance.
    const current = new EventSource(`/api/rooms/live?tab=${encodeURIComponent(tabId())}`);
    source = current;
    current.onmessage = (event: MessageEvent<string>) => {
      try {
        onCounts(JSON.parse(event.data) as RoomsResponse);
      } catch {
        // not ours (a proxy's error page): the next event or reconnection brings the counts
      }
    };
    // EventSource gives up for good on an answer that is not a stream (429 or 503: too many open here);
    // both ask for RETRY_MS, after which this opens it again.
    current.onerror = () => {
      if (current.readyState !== EventSource.CLOSED || source !== current) return;
      retry = setTimeout(open, RETRY_MS);
    };
  };
  open();
  return () => {
    clearTimeout(retry);
    source?.close();
    source = null;
  };
}

/** The wait a refused stream asks for (`retry-after: 10`). */
const RETRY_MS = 10_000;
