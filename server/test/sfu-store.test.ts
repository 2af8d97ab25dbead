// The SFU part of the Store, the same contract against memory and a real Redis: nodes' heartbeats and
// deadlines, placement by the first caller, re-homing once across racing instances.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SfuPlacement, SfuStore } from "../src/state/sfu/contract.js";
import { MemorySfuStore } from "../src/state/sfu/memory.js";
import { RedisSfuStore } from "../src/state/sfu/redis.js";
import { startRedis, type RedisProcess } from "./support/redis.js";

const A = "ws://127.0.0.1:1";
const B = "ws://127.0.0.1:2";
const at = (callId: string, node: string, epoch = 0): SfuPlacement => ({
  callId,
  chatRoom: "GENERAL",
  node,
  room: `room-${callId}-${epoch}`,
  secret: `secret-${epoch}`,
  pin: `pin-${epoch}`,
  epoch,
});

function sfuStoreContract(kind: string, open: () => Promise<SfuStore>) {
  describe(`${kind} SFU store`, () => {
    it("counts a node alive until its heartbeat's deadline, with its load", async () => {
      const store = await open();
      await store.beatSfuNode(A, 3, 1_000);
      await store.beatSfuNode(B, 0, 2_000);
      expect((await store.liveSfuNodes(500)).sort((x, y) => x.url.localeCompare(y.url))).toEqual([
        { url: A, load: 3, aliveUntil: 1_000 },
        { url: B, load: 0, aliveUntil: 2_000 },
      ]);
      expect((await store.liveSfuNodes(1_000)).map((node) => node.url)).toEqual([B]);
    });

    it("keeps the first placement of a call when two instances race", async () => {
      const store = await open();
      const [first, second] = await Promise.all([
        store.placeSfuCall(at("c1", A)),
        store.placeSfuCall(at("c1", B)),
      ]);
      expect(second).toEqual(first);
      expect(await store.sfuPlacementOf("c1")).toEqual(first);
      expect(await store.sfuCallsOn(first.node)).toEqual(["c1"]);
    });

    it("names a node dead once its deadline passed while it holds calls", async () => {
      const store = await open();
      await store.beatSfuNode(A, 1, 1_000);
      await store.beatSfuNode(B, 0, 5_000);
      await store.placeSfuCall(at("c1", A));
      expect(await store.deadSfuNodes(900)).toEqual([]);
      expect(await store.deadSfuNodes(1_000)).toEqual([A]);
      await store.dropSfuCall("c1");
      expect(await store.deadSfuNodes(1_000)).toEqual([]);
    });

    it("re-homes a call once: a second mover from the dead node changes nothing", async () => {
      const store = await open();
      await store.placeSfuCall(at("c1", A));
      const moved = await store.rehomeSfuCall("c1", A, at("c1", B, 1));
      expect(moved).toMatchObject({ node: B, epoch: 1 });
      const late = await store.rehomeSfuCall("c1", A, at("c1", A, 9));
      expect(late).toEqual(moved);
      expect(await store.sfuCallsOn(A)).toEqual([]);
      expect(await store.sfuCallsOn(B)).toEqual(["c1"]);
      expect(await store.rehomeSfuCall("gone", A, at("gone", B))).toBeNull();
    });

    it("forgets a dropped call", async () => {
      const store = await open();
      await store.placeSfuCall(at("c1", A));
      expect(await store.dropSfuCall("c1")).toMatchObject({ node: A });
      expect(await store.sfuPlacementOf("c1")).toBeNull();
      expect(await store.dropSfuCall("c1")).toBeNull();
    });
  });
}

sfuStoreContract("memory", async () => new MemorySfuStore());

let redis: RedisProcess;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

sfuStoreContract("redis", async () => {
  await redis.flush();
  const client = new Redis(redis.url);
  clients.push(client);
  return new RedisSfuStore(client, "test");
});
