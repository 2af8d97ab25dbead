// The Store's connection resends nothing by itself after a break (a write cut off by a switch may have
// been applied). What it had in flight must then fail at once, not wait for the command timeout: ioredis
// left such commands unsettled, and every write in flight at a failover was refused 3 s late.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "../../scripts/cluster/redis.js";
import { connectRedis } from "../src/redis/connect.js";
import { isRetryable } from "../src/redis/replicated.js";
import { eventually } from "./support/cluster.js";

const quiet = { warn() {}, info() {}, error() {}, debug() {} } as unknown as Parameters<
  typeof connectRedis
>[1];

let redis: RedisServer;
let admin: Redis;
beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

describe("the Store's connection", () => {
  it("fails the commands a broken connection left unanswered at once, retryably", async () => {
    const store = connectRedis(
      { redisUrl: redis.url, redisSentinel: null, instanceId: "conn" },
      quiet,
      "store",
      {
        autoResendUnfulfilledCommands: false,
        commandTimeout: 10_000,
      },
    );
    try {
      await store.ping();
      // A command the server holds (blocking pop) stands for a write whose answer the break cuts off.
      const pending = store.blpop("nothing-here", 8).then(
        () => new Error("answered"),
        (error: Error) => error,
      );
      await eventually(
        async () => String(await admin.call("CLIENT", "LIST")).includes("cmd=blpop"),
        5_000,
        "the command reached Redis",
      );
      const brokenAt = Date.now();
      store.disconnect(true);
      const error = await pending;
      expect(error.message).toMatch(/Connection is closed/);
      expect(isRetryable(error)).toBe(true);
      expect(Date.now() - brokenAt).toBeLessThan(2_000);
      await store.ping(); // and the connection is back
    } finally {
      store.disconnect();
    }
  });
});
