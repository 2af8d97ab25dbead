import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryStore } from "../src/state/memory.js";
import { redisStore } from "../src/state/redis.js";
import { storeConnectionsContract } from "./store.connections.contract.js";
import { storeGroupContract } from "./store.group.contract.js";
import { storePrivateContract } from "./store.private.contract.js";
import { storeRoomsContract } from "./store.rooms.contract.js";
import { storeSessionsContract } from "./store.sessions.contract.js";
import { startRedis, type RedisProcess } from "./support/redis.js";

// One suite per feature of the Store (state/<feature>/), each run on both implementations.
const suites = [
  storeSessionsContract,
  storeConnectionsContract,
  storeRoomsContract,
  storePrivateContract,
  storeGroupContract,
];

for (const suite of suites) suite("memory", async () => memoryStore());

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

for (const suite of suites)
  suite("redis", async () => {
    await redis.flush();
    return redisStore(new Redis(redis.url), "test");
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
