// What an acknowledgement is worth in a SENTINEL FAILOVER with two replicas: writers append through the
// Store's connection and its replica barrier (as the handlers' Store calls do) while the sentinels switch
// the primary. The replica being promoted leaves the old primary first; the other one still confirms the
// old primary's writes until it is re-pointed, and then resyncs from the new primary without them. Every
// acknowledged write must be on the primary afterwards (with `WAIT 1` alone, 78-109 of about 1,050 were not).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSentinelSet, type SentinelSet } from "../../scripts/cluster/sentinel.js";
import type { RedisSentinelConfig } from "../src/config.js";
import { connectRedis, sentinelWatch } from "../src/redis/connect.js";
import { NotReplicated, replicaBarrier } from "../src/redis/replicated.js";
import { eventually } from "./support/cluster.js";

const WRITERS = 20;
const PERIOD_MS = 200; // 100 writes/s in all
const quiet = { warn() {}, info() {}, error() {}, debug() {} } as unknown as Parameters<
  typeof connectRedis
>[1];

let set: SentinelSet;
beforeAll(async () => {
  set = await startSentinelSet({
    dir: mkdtempSync(path.join(tmpdir(), "videochat-acks-")),
    downAfterMs: 1_000,
    failoverTimeoutMs: 3_000,
    replicas: 2,
  });
}, 60_000);
afterAll(async () => {
  await set?.stop();
});

describe("acknowledged writes through SENTINEL FAILOVER with two replicas", () => {
  it("are all on the new primary, none taken back by a replica's resync", async () => {
    const sentinel: RedisSentinelConfig = {
      sentinels: set.sentinelPorts.map((port) => ({ host: "127.0.0.1", port })),
      name: set.name,
      password: set.password,
      sentinelPassword: set.password,
      replicaAck: "wait",
      replicaTimeoutMs: 5_000,
    };
    const config = { redisUrl: "", redisSentinel: sentinel, instanceId: "acks" };
    // The Store connection's own options (state/backend.ts).
    const store = connectRedis(config, quiet, "store", {
      autoResendUnfulfilledCommands: false,
      commandTimeout: 3_000,
    });
    const barrier = replicaBarrier(store, sentinel.replicaTimeoutMs, "mark", sentinelWatch(sentinel));
    const acked: string[] = [];
    const refused = new Map<string, number>();
    let running = true;
    const start = Date.now();
    const writers = Array.from({ length: WRITERS }, async (_, writer) => {
      for (let n = 0; running; n++) {
        // Pacing a load, not waiting for a state.
        const due = start + (writer * PERIOD_MS) / WRITERS + n * PERIOD_MS;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        const id = `${writer}:${n}`;
        while (running) {
          try {
            await store.rpush("log", id);
            await barrier();
            acked.push(id);
            break;
          } catch (error) {
            // Refused (retryable): sent again, as the SPA does; a kept first try is a duplicate, not a loss.
            const reason = error instanceof NotReplicated ? error.message : String(error);
            refused.set(reason, (refused.get(reason) ?? 0) + 1);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      }
    });
    try {
      await eventually(() => acked.length >= 200, 30_000, "200 acknowledged writes");
      const switchedAt = Date.now();
      const before = await set.failover();
      const switchMs = await eventually(async () => (await set.primary()) !== before, 30_000, "the switch");
      const from = acked.length;
      await eventually(() => acked.length >= from + 300, 30_000, "300 more acknowledged writes");
      running = false;
      await Promise.all(writers);
      const primary = await set.primary();
      const reader = new Redis(primary.url);
      // What the new primary holds is what survives: the old one is demoted later and resyncs from it.
      const kept = new Set(await reader.lrange("log", 0, -1));
      reader.disconnect();
      const lost = acked.filter((id) => !kept.has(id));
      console.log(
        `SENTINEL FAILOVER, 2 replicas, ${(WRITERS * 1000) / PERIOD_MS} writes/s: acknowledged ${acked.length}, lost ${lost.length}; switched in ${switchMs} ms (${Date.now() - switchedAt} ms of load after); refused ${JSON.stringify(Object.fromEntries(refused))}`,
      );
      expect(lost).toEqual([]);
    } finally {
      running = false;
      await Promise.all(writers);
      store.disconnect();
    }
  }, 120_000);
});
