// Two server processes (the real entrypoint) on one Redis: users on different instances see each other.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAll, join, openSocket, record, request, waitFor, type Joined } from "./support/clients.js";
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

  it("carry unread ids, do-not-disturb records and file offers from one instance to the other", async () => {
    let dana: Joined | undefined;
    let eve: Joined | undefined;
    try {
      dana = await join(one.url, "Dana", "GAMES");
      eve = await join(two.url, "Eve", "GAMES");
      await request(dana.socket, "reach:sync", {});
      // Eve posts in GAMES on two, then moves to SPORTS and posts: Dana, watching on one, hears the newest id.
      await request(dana.socket, "rooms:watch", { watch: true });
      await request(eve.socket, "room:join", { room: "SPORTS" });
      // Every wait starts before the request that causes its event: the event can reach Dana before the
      // ack reaches Eve.
      const seen = record(dana.socket, "rooms:latest");
      const posted = await request(eve.socket, "room:message", { text: "over here" });
      const id = (posted.message as { id: number }).id;
      await vi.waitFor(
        () =>
          expect(
            seen.some((p) => p.rooms.some((room) => room.name === "SPORTS" && room.lastMessageId === id)),
          ).toBe(true),
        { timeout: 20_000 },
      );
      const back = waitFor(dana.socket, "room:member-joined", (d) => d.member.name === "Eve");
      await request(eve.socket, "room:join", { room: "GAMES" });
      await back;

      // Eve is Unavailable on two: Dana's chat on one is refused and the record waits for Eve.
      await request(eve.socket, "presence:set", { status: "unavailable" });
      expect(await request(dana.socket, "private:open", { with: eve.session.user.id })).toMatchObject({
        ok: false,
        error: { code: "do_not_disturb", message: "Eve is unavailable" },
      });
      await request(eve.socket, "presence:set", { status: "online" });
      expect((await request(eve.socket, "reach:sync", {})).attempts).toMatchObject([
        { from: { name: "Dana" } },
      ]);

      // A file offer crosses instances to the partner.
      const opened = waitFor(eve.socket, "private:opened");
      await request(dana.socket, "private:open", { with: eve.session.user.id });
      await opened;
      const offered = waitFor(eve.socket, "file:offered");
      const offer = { fileId: "cross-file-1", name: "a.txt", size: 3, type: "text/plain" };
      expect(await request(dana.socket, "file:offer", offer)).toMatchObject({ ok: true });
      expect(await offered).toMatchObject({ ...offer, from: { name: "Dana" } });
    } finally {
      closeAll(dana?.socket, eve?.socket);
    }
  });

  it("post a tab's message where its user is after a move made in a tab on the other instance", async () => {
    let alice: Joined | undefined;
    let bob: Joined | undefined;
    let other: ReturnType<typeof openSocket> | undefined;
    try {
      alice = await join(one.url, "Mover");
      bob = await join(one.url, "Stayer");
      other = openSocket(two.url, { token: alice.session.token });
      await waitFor(other, "session:ready");
      const heardByBob = record(bob.socket, "room:message");
      // The mover's first tab learns the move (its instance's view of their room) from the other instance.
      const moved = waitFor(alice.socket, "room:state", (state) => state.room === "SPORTS");
      expect(await request(other, "room:join", { room: "SPORTS" })).toMatchObject({ ok: true });
      await moved;
      const ack = await request(alice.socket, "room:message", { text: "from the first tab" });
      expect(ack).toMatchObject({ ok: true, message: { room: "SPORTS", text: "from the first tab" } });
      // The stayer's own message after it reaches him: the first tab's never did, nor is it in GENERAL's history.
      await request(bob.socket, "room:message", { text: "still in GENERAL" });
      await vi.waitFor(() => expect(heardByBob.map((m) => m.text)).toContain("still in GENERAL"));
      expect(heardByBob.map((m) => m.text)).not.toContain("from the first tab");
      const carol = await join(two.url, "Looker");
      expect(carol.state.history.map((m) => m.text)).not.toContain("from the first tab");
      carol.socket.disconnect();
    } finally {
      closeAll(alice?.socket, bob?.socket, other);
    }
  });
});
