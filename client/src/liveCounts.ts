// Live room counts cost the server a delivery per watcher per change, so a tab watches only while a
// person can see them: while the page is visible and the screen that shows them is open.
import { onScopeDispose } from "vue";
import type { RoomsResponse } from "../../server/src/protocol";
import { tabId } from "./tabStorage";

/** Runs `start` while the document is visible (again after each return), stopping it when hidden. */
export function whileVisible(start: () => () => void): void {
  let stop: (() => void) | null = null;
  const update = () => {
    if (document.visibilityState === "visible") stop ??= start();
    else {
      stop?.();
      stop = null;
    }
  };
  update();
  document.addEventListener("visibilitychange", update);
  onScopeDispose(() => {
    document.removeEventListener("visibilitychange", update);
    stop?.();
  });
}

/**
 * The join screen's counts, which it reads without a socket: server-sent events from
 * GET /api/rooms/live, every room first, then the rooms that changed. EventSource reconnects by itself
 * (and the first event after that lists every room again). Returns the function that closes it.
 */
export function streamRoomCounts(onCounts: (counts: RoomsResponse) => void): () => void {
  if (typeof EventSource === "undefined") return () => {};
  // Named like every API request, so nginx keeps this tab on one instance.
  const source = new EventSource(`/api/rooms/live?tab=${encodeURIComponent(tabId())}`);
  source.onmessage = (event: MessageEvent<string>) => {
    try {
      onCounts(JSON.parse(event.data) as RoomsResponse);
    } catch {
      // not ours (a proxy's error page): the next event or reconnection brings the counts
    }
  };
  return () => source.close();
}
