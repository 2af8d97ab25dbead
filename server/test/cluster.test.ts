// Two server processes (the real entrypoint) on one Redis: users on different instances see each other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, join, openSocket, request, waitFor, type Joined } from "./support/clients.js";
import { openCountsStream } from "./support/counts.js";
import { freePort } from "./support/ports.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { spawnServer, type ServerProcess } from "./support/server.js";

let redis: RedisProcess;
let one: ServerProcess;
let two: ServerProcess;
beforeAll(async () => {
  redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: "clustertest",
    SESSION_GRACE_MS: "3000",
    REAPER_INTERVAL_MS: "100",
  };
  [one, two] = await Promise.all([
    freePort().then((port) => spawnServer(port, { ...env, INSTANCE_ID: "one" })),
    freePort().then((port) => spawnServer(port, { ...env, INSTANCE_ID: "two" })),
  ]);
});
afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await redis?.stop();
});

describe("two instances on one Redis", () => {
  it("report the Redis store in health", async () => {
    for (const [server, id] of [
      [one, "one"],
      [two, "two"],
    ] as const) {
      const health = await (await fetch(`${server.url}/api/health`)).json();
      expect(health).toEqual({ status: "ok", instanceId: id, store: "redis", redis: "up" });
    }
  });

  it("share names, members, presence, messages, history and occupancy across instances", async () => {
    let alice: Joined | undefined;
    let bob: Joined | undefined;
    try {
      alice = await join(one.url, "Alice");
      expect(alice.ready.instanceId).toBe("one");
      const taken = await fetch(`${two.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "ALICE", room: "GENERAL" }),
      });
      expect(taken.status).toBe(409);

      const aliceSeesBob = waitFor(alice.socket, "room:member-joined", (d) => d.member.name === "Bob");
      bob = await join(two.url, "Bob");
      expect(bob.ready.instanceId).toBe("two");
      await aliceSeesBob;
      expect(bob.state.members.map((m) => m.name).sort()).toEqual(["Alice", "Bob"]);

      const status = waitFor(alice.socket, "room:member-updated");
      await request(bob.socket, "presence:set", { status: "absent" });
      expect((await status).member).toMatchObject({ name: "Bob", status: "absent" });

      const message = waitFor(bob.socket, "room:message");
      await request(alice.socket, "room:message", { text: "across instances" });
      expect(await message).toMatchObject({ text: "across instances", from: { name: "Alice" } });

      expect((await request(alice.socket, "rooms:watch", { watch: true })).ok).toBe(true);
      const occupancy = waitFor(alice.socket, "rooms:occupancy", ({ rooms }) =>
        rooms.some((r) => r.name === "SPORTS" && r.count === 1),
      );
      const left = waitFor(alice.socket, "room:member-left");
      await request(bob.socket, "room:join", { room: "SPORTS" });
      expect(await left).toMatchObject({ reason: "moved", to: "SPORTS", member: { name: "Bob" } });
      // Only the rooms that changed are sent: never GAMES, which nobody entered or left.
      expect((await occupancy).rooms.map((r) => r.name)).not.toContain("GAMES");

      // Bob's tab comes back through the other instance and resumes his session there.
      bob.socket.disconnect();
      const back = openSocket(one.url, { token: bob.session.token });
      const ready = await waitFor(back, "session:ready");
      expect(ready).toMatchObject({ instanceId: "one", resumed: true, room: "SPORTS", status: "absent" });
      back.disconnect();
    } finally {
      closeAll(alice?.socket, bob?.socket);
    }
  });

  it("show a join screen on one instance the counts of a join on the other", async () => {
    const stream = await openCountsStream(one.url);
    let carol: Joined | undefined;
    try {
      const before = (await stream.next(() => true)).find((room) => room.name === "GAMES")!;
      carol = await join(two.url, "Carol", "GAMES");
      const after = await stream.next((rooms) => rooms.some((room) => room.name === "GAMES"));
      expect(after).toEqual([{ name: "GAMES", count: before.count + 1, version: expect.any(Number) }]);
      expect(after[0]!.version).toBeGreaterThan(before.version);
    } finally {
      stream.close();
      closeAll(carol?.socket);
    }
  });
});
