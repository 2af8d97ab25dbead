import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/state/memory.js";
import { RedisStore } from "../src/state/redis.js";
import { storeContract } from "./store.contract.js";
import { startRedis, type RedisProcess } from "./support/redis.js";

storeContract(
  "memory",
  async () => new MemoryStore(),
  async (store) => store.close(),
);

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

storeContract(
  "redis",
  async () => {
    await redis.flush();
    return new RedisStore(new Redis(redis.url), "test");
  },
  async (store) => store.close(),
);

describe("Redis Store keys", () => {
  it("keeps two deployments with different prefixes apart on one Redis", async () => {
    await redis.flush();
    const blue = new RedisStore(new Redis(redis.url), "blue");
    const green = new RedisStore(new Redis(redis.url), "green");
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

describe("Redis Store: dead instances", () => {
  it("takes over a silent instance's connections once, with grace counted from its last heartbeat", async () => {
    await redis.flush();
    const store = new RedisStore(new Redis(redis.url), "inst");
    const t0 = Date.now();
    const grace = 5_000;
    await store.heartbeat("i1", t0);
    await store.heartbeat("i2", t0);
    const session = async (name: string, ...connections: string[]) => {
      const created = await store.createSession({
        name,
        nameKey: name,
        room: "GENERAL",
        graceDeadline: t0 + 60_000,
      });
      if (!created.ok) throw new Error(name);
      for (const connection of connections) await store.attachConnection(created.session.id, connection);
      return created.session.id;
    };
    const onlyOnI1 = await session("a", "i1/s1");
    await session("b", "i2/s2");
    await session("c", "i1/x", "i2/y");
    const movedAway = await session("d", "i1/s4");
    await store.detachConnection(movedAway, "i1/s4", t0 + 60_000);
    await store.attachConnection(movedAway, "i2/s5");

    expect(await store.takeOverDeadInstances(t0 + 5_000, 10_000, grace)).toEqual([]);
    await store.heartbeat("i2", t0 + 9_000);
    const takers = await Promise.all(
      [1, 2, 3].map(() => store.takeOverDeadInstances(t0 + 11_000, 10_000, grace)),
    );
    expect(takers.flat()).toEqual(["i1"]);

    const expired = await store.takeExpiredSessions(t0 + grace + 1, 100);
    expect(expired.map((ended) => ended.session.id)).toEqual([onlyOnI1]);
    expect((await store.roomSnapshot("GENERAL")).members.map((m) => m.name).sort()).toEqual(["b", "c", "d"]);
    await store.close();
  });

  it("tells an instance that it had been dropped from the registry", async () => {
    await redis.flush();
    const store = new RedisStore(new Redis(redis.url), "inst");
    expect(await store.heartbeat("i1", 1)).toBe(true);
    expect(await store.heartbeat("i1", 2)).toBe(false);
    await store.takeOverDeadInstances(100_000, 10_000, 1_000);
    expect(await store.heartbeat("i1", 100_001)).toBe(true);
    await store.retireInstance("i1");
    expect(await store.takeOverDeadInstances(1e12, 1, 1)).toEqual([]);
    await store.close();
  });
});
