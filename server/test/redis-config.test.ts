// REDIS_SENTINELS and the settings beside it: parsed, validated, and turned into ioredis options.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { redisOptions } from "../src/redis/connect.js";
import { isRetryable, NotReplicated } from "../src/redis/replicated.js";

describe("Redis through Sentinel", () => {
  it("reads the sentinels, the primary's name and both passwords", () => {
    const config = loadConfig({
      REDIS_SENTINELS: "10.0.0.5:26379, sentinel-2:26380,[::1]:26381",
      REDIS_SENTINEL_NAME: "chat",
      REDIS_PASSWORD: "data-pw",
      REDIS_SENTINEL_PASSWORD: "sentinel-pw",
    });
    expect(config.redisSentinel).toEqual({
      sentinels: [
        { host: "10.0.0.5", port: 26379 },
        { host: "sentinel-2", port: 26380 },
        { host: "::1", port: 26381 },
      ],
      name: "chat",
      password: "data-pw",
      sentinelPassword: "sentinel-pw",
      replicaAck: "wait",
      replicaTimeoutMs: 5_000,
    });
    const options = redisOptions(config, "store");
    expect(options).toMatchObject({ name: "chat", role: "master", password: "data-pw" });
    expect(options.sentinelPassword).toBe("sentinel-pw");
  });

  it("needs none without REDIS_SENTINELS, and refuses bad entries or both ways at once", () => {
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).redisSentinel).toBeNull();
    expect(() => loadConfig({ REDIS_SENTINELS: "sentinel-1" })).toThrow(/REDIS_SENTINELS/);
    expect(() => loadConfig({ REDIS_SENTINELS: "sentinel-1:99999" })).toThrow(/host:port/);
    expect(() => loadConfig({ REDIS_SENTINELS: "a:1", REDIS_URL: "redis://b:2" })).toThrow(/set one/);
    expect(() => loadConfig({ REDIS_SENTINELS: "a:1", REDIS_REPLICA_ACK: "maybe" })).toThrow(
      /REDIS_REPLICA_ACK/,
    );
  });

  it("counts a switch's errors as retryable, and nothing else", () => {
    for (const message of ["READONLY You can't write against a read only replica.", "Connection is closed."])
      expect(isRetryable(new Error(message))).toBe(true);
    expect(isRetryable(new NotReplicated("no replica"))).toBe(true);
    expect(isRetryable(new Error("ERR syntax error"))).toBe(false);
    expect(isRetryable("READONLY")).toBe(false);
  });
});
