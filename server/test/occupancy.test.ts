// Room counts go to those who look at them: sockets that watch (rooms:watch) and join-screen streams.
import { describe, expect, it, vi } from "vitest";
import { record, request, waitFor, type ClientSocket } from "./support/clients.js";
import { openCountsStream } from "./support/counts.js";
import { useServer } from "./support/harness.js";

const STREAMS_PER_ADDRESS = 2;
const server = useServer({ LIVE_STREAMS_PER_ADDRESS: String(STREAMS_PER_ADDRESS) });

const seesCount = (socket: ClientSocket, name: string, count: number) =>
  waitFor(socket, "rooms:occupancy", ({ rooms }) =>
    rooms.some((room) => room.name === name && room.count === count),
  );

/** Anything sent to `socket` before this ack has arrived by now: one instance writes in order. */
async function heardNothing(socket: ClientSocket, heard: unknown[]): Promise<void> {
  await request(socket, "presence:set", { status: "absent" });
  expect(heard).toEqual([]);
}

describe("room counts", () => {
  it("reach the sockets that watch them, and no other", async () => {
    const alice = await server.enter("Alice");
    const bob = await server.enter("Bob");
    const watched = await request(alice.socket, "rooms:watch", { watch: true });
    // Watching starts from every room's count.
    expect(watched).toMatchObject({ ok: true });
    expect(watched.rooms).toEqual(
      expect.arrayContaining([
        { name: "GENERAL", count: 2, version: expect.any(Number) },
        { name: "SPORTS", count: 0, version: 0 },
      ]),
    );
    const bobHears = record(bob.socket, "rooms:occupancy");

    const seen = seesCount(alice.socket, "SPORTS", 1);
    await server.enter("Carol", "SPORTS");
    await seen;
    await heardNothing(bob.socket, bobHears);
  });

  it("stop when a socket stops watching", async () => {
    const alice = await server.enter("Alice");
    const bob = await server.enter("Bob");
    await request(alice.socket, "rooms:watch", { watch: true });
    await request(bob.socket, "rooms:watch", { watch: true });
    expect(await request(alice.socket, "rooms:watch", { watch: false })).toEqual({ ok: true, rooms: [] });
    const aliceHears = record(alice.socket, "rooms:occupancy");

    const bobSees = seesCount(bob.socket, "GAMES", 1);
    await server.enter("Carol", "GAMES");
    await bobSees;
    await heardNothing(alice.socket, aliceHears);
  });

  it("refuse a watch request that is not { watch: boolean }", async () => {
    const alice = await server.enter("Alice");
    const refused = await request(alice.socket, "rooms:watch", { watch: "yes" } as never);
    expect(refused).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });

  it("stream to a join screen: every room first, then the rooms that change", async () => {
    const stream = await openCountsStream(server.url);
    try {
      const first = await stream.next(() => true);
      expect(first.map((room) => room.name)).toEqual(["GENERAL", "SPORTS", "GAMES"]);
      await server.enter("Alice", "SPORTS");
      const changed = await stream.next((rooms) => rooms.some((room) => room.name === "SPORTS"));
      expect(changed).toEqual([{ name: "SPORTS", count: 1, version: expect.any(Number) }]);
    } finally {
      stream.close();
    }
  });

  it("stream to one address only up to LIVE_STREAMS_PER_ADDRESS at once, then 429 with the wait", async () => {
    const streams = await Promise.all(
      Array.from({ length: STREAMS_PER_ADDRESS }, () => openCountsStream(server.url)),
    );
    try {
      await Promise.all(streams.map((stream) => stream.next(() => true)));
      const refused = await fetch(`${server.url}/api/rooms/live`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("10");
      expect(await refused.json()).toMatchObject({ error: { code: "rate_limited", retryAfterMs: 10_000 } });
      // A closed join screen frees its place.
      streams.pop()!.close();
      const again = await waitForStream(server.url);
      streams.push(again);
      expect((await again.next(() => true)).length).toBe(3);
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});

/** Opens a stream once the server has seen an earlier one close (its close event comes a moment later: 429 until then). */
async function waitForStream(url: string) {
  return vi.waitFor(() => openCountsStream(url), { timeout: 10_000, interval: 50 });
}
