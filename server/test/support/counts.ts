// A join screen's live counts as a test reads them: GET /api/rooms/live, one event per `data:` line.
import type { RoomOccupancy } from "@videochat/protocol";

export interface CountsReader {
  /** Resolves with the first event (from now, or already read and unclaimed) whose rooms match. */
  next(predicate: (rooms: RoomOccupancy[]) => boolean): Promise<RoomOccupancy[]>;
  close(): void;
}

/** Opens the stream; resolves once the response headers have arrived. */
export async function openCountsStream(baseUrl: string): Promise<CountsReader> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/api/rooms/live`, { signal: abort.signal });
  if (response.status !== 200 || !response.body) throw new Error(`/api/rooms/live: ${response.status}`);
  const events: RoomOccupancy[][] = [];
  let wake: () => void = () => {};
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf("\n\n")) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (block.startsWith("data: "))
            events.push((JSON.parse(block.slice(6)) as { rooms: RoomOccupancy[] }).rooms);
          wake();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    async next(predicate) {
      for (;;) {
        const index = events.findIndex(predicate);
        if (index >= 0) return events.splice(0, index + 1).at(-1)!;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: () => abort.abort(),
  };
}
