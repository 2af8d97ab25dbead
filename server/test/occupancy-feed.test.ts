// The occupancy feed in isolation (a stand-in Socket.IO server and Store): what reaches watchers when.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RoomOccupancy } from "@videochat/protocol";
import { createOccupancyFeed, type CountsStream } from "../src/realtime/occupancy.js";

function harness() {
  const toWatchers: RoomOccupancy[][] = [];
  const toOthers: RoomOccupancy[][] = [];
  let fromOthers: (payload: { rooms: RoomOccupancy[] }) => void = () => {};
  const counts = new Map<string, { count: number; version: number }>();
  const io = {
    local: {
      to: () => ({
        emit: (_event: string, payload: { rooms: RoomOccupancy[] }) => toWatchers.push(payload.rooms),
      }),
    },
    serverSideEmit: (_event: string, payload: { rooms: RoomOccupancy[] }) => toOthers.push(payload.rooms),
    on: (_event: string, listener: typeof fromOthers) => (fromOthers = listener),
  };
  const reads: string[][] = [];
  const versionReads: string[] = [];
  const store = {
    kind: "redis",
    occupancy: async (rooms: string[]) => {
      reads.push(rooms);
      return rooms.map((room) => counts.get(room) ?? { count: 0, version: 0 });
    },
    roomVersion: async (room: string) => {
      versionReads.push(room);
      return counts.get(room)?.version ?? 0;
    },
  };
  const streamed: RoomOccupancy[][] = [];
  const stream: CountsStream = { write: (rooms) => streamed.push(rooms), end: () => {} };
  const logger = { error: vi.fn() };
  const config = { rooms: ["A", "B"] };
  const feed = createOccupancyFeed({ io, store, logger, config } as never, new Set([stream]), {
    readMs: 100,
    sendMs: 250,
    fullReadMs: 5000,
  });
  return {
    feed,
    reads,
    versionReads,
    counts,
    toWatchers,
    toOthers,
    streamed,
    hear: (rooms: RoomOccupancy[]) => fromOthers({ rooms }),
  };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe("occupancy feed", () => {
  it("reads the rooms changed here once per window, tells the other instances, and coalesces for watchers", async () => {
    const { feed, counts, toWatchers, toOthers, streamed, hear } = harness();
    counts.set("A", { count: 3, version: 7 });
    feed.changed("A");
    feed.changed("A");
    await vi.advanceTimersByTimeAsync(100);
    expect(toOthers).toEqual([[{ name: "A", count: 3, version: 7 }]]);
    // Another instance changed A (newer) and B in the same window: one delivery, newest of each.
    hear([
      { name: "A", count: 4, version: 8 },
      { name: "B", count: 1, version: 2 },
    ]);
    hear([{ name: "A", count: 3, version: 7 }]);
    expect(toWatchers).toEqual([]);
    await vi.advanceTimersByTimeAsync(250);
    const sent = [
      { name: "A", count: 4, version: 8 },
      { name: "B", count: 1, version: 2 },
    ];
    expect(toWatchers).toEqual([sent]);
    expect(streamed).toEqual([sent]);
    // The same counts heard again (the other instance read them too) are not sent twice.
    hear([{ name: "A", count: 4, version: 8 }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(toWatchers).toHaveLength(1);
    feed.stop();
  });

  it("starts watchers from one full read, kept current by what it hears, read again after 5 s", async () => {
    const { feed, reads, counts, hear } = harness();
    counts.set("A", { count: 2, version: 3 });
    expect(await feed.everyRoom()).toEqual([
      { name: "A", count: 2, version: 3 },
      { name: "B", count: 0, version: 0 },
    ]);
    hear([{ name: "B", count: 1, version: 1 }]);
    expect(await feed.everyRoom()).toEqual([
      { name: "A", count: 2, version: 3 },
      { name: "B", count: 1, version: 1 },
    ]);
    expect(reads).toEqual([["A", "B"]]);
    // Later, what pub/sub may have lost is read again: B emptied on an instance this one missed.
    await vi.advanceTimersByTimeAsync(5001);
    counts.set("B", { count: 0, version: 2 });
    expect((await feed.everyRoom())[1]).toEqual({ name: "B", count: 0, version: 2 });
    expect(reads).toHaveLength(2);
    feed.stop();
  });

  it("answers awaited versions with the window's count read: a changed room's from it, others once each", async () => {
    const { feed, reads, versionReads, counts, toOthers } = harness();
    counts.set("A", { count: 3, version: 7 });
    counts.set("B", { count: 1, version: 4 });
    feed.changed("A");
    const settled: number[] = [];
    const waits = [feed.versionAfter("A"), feed.versionAfter("B"), feed.versionAfter("B")];
    for (const wait of waits) void wait.then((version) => settled.push(version));
    // Read after the window, not at the call: a change landing meanwhile is in the answer.
    counts.set("B", { count: 2, version: 5 });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all(waits)).toEqual([7, 5, 5]);
    expect(reads).toEqual([["A"]]);
    expect(versionReads).toEqual(["B"]);
    // Only the changed room's count goes to the other instances.
    expect(toOthers).toEqual([[{ name: "A", count: 3, version: 7 }]]);
    // A version awaited alone reads only it; an instance that closes drops its waiters, reading nothing.
    const alone = feed.versionAfter("A");
    await vi.advanceTimersByTimeAsync(100);
    expect(await alone).toBe(7);
    expect(reads).toHaveLength(1);
    let answered = false;
    void feed.versionAfter("A").finally(() => (answered = true));
    feed.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(answered).toBe(false);
    expect(reads).toHaveLength(1);
    expect(versionReads).toEqual(["B", "A"]);
  });
});
