import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryStore } from "../src/state/memory.js";
import { redisStore } from "../src/state/redis.js";
import type { StoreOptions } from "../src/state/store.js";
import { storeConnectionsContract } from "./store.connections.contract.js";
import { storeFilesContract } from "./store.files.contract.js";
import { storeGroupContract } from "./store.group.contract.js";
import { storeMessagesContract } from "./store.messages.contract.js";
import { storePrivateContract } from "./store.private.contract.js";
import { storeReachContract } from "./store.reach.contract.js";
import { storeRelaysContract } from "./store.relays.contract.js";
import { storeRoomsContract } from "./store.rooms.contract.js";
import { storeSessionsContract } from "./store.sessions.contract.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { claimName, enterRoom } from "./support/store.js";

// One suite per feature of the Store (state/<feature>/), each run on both implementations.
const suites = [
  storeSessionsContract,
  storeConnectionsContract,
  storeRoomsContract,
  storePrivateContract,
  storeGroupContract,
  storeMessagesContract,
  storeReachContract,
  storeFilesContract,
  storeRelaysContract,
];

for (const suite of suites) suite("memory", async (options?: StoreOptions) => memoryStore(options));

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

for (const suite of suites)
  suite("redis", async (options?: StoreOptions) => {
    await redis.flush();
    return redisStore(new Redis(redis.url), "test", options);
  });

describe("Redis Store keys", () => {
  it("keeps two deployments with different prefixes apart on one Redis", async () => {
    await redis.flush();
    const blue = redisStore(new Redis(redis.url), "blue");
    const green = redisStore(new Redis(redis.url), "green");
    const claim = { name: "Ann", nameKey: "ann", room: "GENERAL", graceDeadline: Date.now() + 60_000 };
    expect((await blue.createSession(claim)).ok).toBe(true);
    expect((await green.createSession(claim)).ok).toBe(true);

    const probe = new Redis(redis.url);
    const keys = await probe.keys("*");
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith("blue:") || key.startsWith("green:"))).toBe(true);
    probe.disconnect();
    await Promise.all([blue.close(), green.close()]);
  });
});

describe("Redis Store messages across instances", () => {
  it("counts concurrent reaction toggles from two instances once each, and a deleted text leaves Redis", async () => {
    await redis.flush();
    const one = redisStore(new Redis(redis.url), "test");
    const two = redisStore(new Redis(redis.url), "test");
    const people = [];
    for (const name of ["Ana", "Ben", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]) {
      const created = await claimName(one, name);
      await one.attachConnection(created.session.id, `conn-${name}`, 8);
      people.push({ id: created.session.id, name });
    }
    const ana = people[0]!;
    const posted = await one.postRoomMessage({ room: "GENERAL", from: ana, text: "unique-secret-42", at: 1 });
    if (!posted.ok) throw new Error(posted.code);
    const id = posted.message.id;
    const react = { kind: "react" as const, emoji: "🔥", max: 20 };
    // Everyone toggles twice, alternating instances: each ends with no reaction.
    await Promise.all(people.map((p, i) => (i % 2 ? one : two).changeRoomMessage(p.id, id, react)));
    const half = (await two.roomHistory("GENERAL")).at(-1)!;
    expect(half.reactions![0]!.users.map((u) => u.id).sort()).toEqual(people.map((p) => p.id).sort());
    await Promise.all(people.map((p, i) => (i % 2 ? two : one).changeRoomMessage(p.id, id, react)));
    expect((await one.roomHistory("GENERAL")).at(-1)!.reactions).toBeUndefined();

    await two.postRoomMessage({ room: "GENERAL", from: people[1]!, text: "re", at: 2, replyTo: id });
    expect((await one.changeRoomMessage(ana.id, id, { kind: "delete" })).ok).toBe(true);
    const probe = new Redis(redis.url);
    for (const key of await probe.keys("*")) {
      const type = await probe.type(key);
      const values =
        type === "list" ? await probe.lrange(key, 0, -1) : type === "string" ? [await probe.get(key)] : [];
      expect(values.join(), key).not.toContain("unique-secret");
    }
    probe.disconnect();
    await Promise.all([one.close(), two.close()]);
  });
});

describe("Redis Store room-message budget", () => {
  it("keeps each member's budget field beside the entry, unseen by snapshots and counts; a move gives a fresh one", async () => {
    await redis.flush();
    const store = redisStore(new Redis(redis.url), "test");
    const ann = await enterRoom(store, "Ann");
    await enterRoom(store, "Bo");
    const members = "test:room:GENERAL:members";
    const probe = new Redis(redis.url);
    expect(await probe.hlen(members)).toBe(4);
    expect((await store.occupancy(["GENERAL"]))[0]!.count).toBe(2);
    expect((await store.roomSnapshot("GENERAL")).members.map((m) => m.name).sort()).toEqual(["Ann", "Bo"]);
    // The budget is charged on its own key now; the field stays for a previous release's instances.
    await store.chargeRoomMessages(
      [{ userId: ann.session.id, count: 3 }],
      { points: 5, windowMs: 10_000 },
      1,
    );
    expect(Number(await probe.get(`test:rl:post:${ann.session.id}`)) % 2 ** 21).toBe(3);
    await store.moveToRoom(ann.session.id, "SPORTS");
    expect(await probe.hget("test:room:SPORTS:members", `${ann.session.id}|post`)).toBe("2097152");
    expect(await probe.hlen(members)).toBe(2);
    probe.disconnect();
    await store.close();
  });
});
