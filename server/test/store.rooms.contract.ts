// The Store contract for rooms: message ids and history, the one-step post, the senders' budgets
// charged in batches (with two instances' views of them), occupancy.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UserRef } from "@videochat/protocol";
import { pino } from "pino";
import { createPostBudgets } from "../src/realtime/post-budgets.js";
import type { Store } from "../src/state/store.js";
import { HISTORY_LIMIT } from "../src/state/store.js";
import { enterRoom } from "./support/store.js";

export function storeRoomsContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (rooms): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const enter = (userName: string, room = "GENERAL") => enterRoom(store, userName, room);

    it("numbers room messages in order, keeps the last 100 and replays what follows an id", async () => {
      const from = { id: "u1", name: "Jo" };
      // Past twice the limit: the Redis Store trims its list in batches and must still show the last 100.
      const sent = await Promise.all(
        Array.from({ length: 2 * HISTORY_LIMIT + 20 }, (_, i) =>
          store.appendRoomMessage({ room: "GENERAL", from, text: `m${i}`, at: Date.now() }),
        ),
      );
      const ids = sent.map((message) => message.id);
      expect(new Set(ids).size).toBe(ids.length);
      const history = await store.roomHistory("GENERAL");
      expect(history).toHaveLength(HISTORY_LIMIT);
      expect(history.map((m) => m.id)).toEqual([...ids].sort((a, b) => a - b).slice(-HISTORY_LIMIT));
      const last = history.at(-1)!.id;
      expect((await store.roomHistory("GENERAL", last - 3)).map((m) => m.id)).toEqual([
        last - 2,
        last - 1,
        last,
      ]);
      expect(await store.roomHistory("SPORTS")).toEqual([]);
    });

    it("posts a room message in one step, with the quote of the message it replies to", async () => {
      const from = { id: "u1", name: "Ann" };
      const t0 = Date.now();
      const first = await store.postRoomMessage({ room: "GENERAL", from, text: "one", at: t0 });
      expect(first).toMatchObject({ ok: true, message: { room: "GENERAL", text: "one", from } });
      const id = first.ok ? first.message.id : 0;
      const reply = await store.postRoomMessage({ room: "GENERAL", from, text: "two", at: t0, replyTo: id });
      expect(reply).toMatchObject({ ok: true, message: { id: id + 1, replyTo: { id, text: "one" } } });
      expect((await store.roomHistory("GENERAL")).map((m) => m.text)).toEqual(["one", "two"]);
    });

    it("charges a client address's budget across its senders' sessions", async () => {
      const shared = { address: "203.0.113.7", points: 3, windowMs: 10_000 };
      const t0 = Date.now();
      const [ann, bea, cy] = ["Ann", "Bea", "Cy"].map((name, i) => ({ id: `u${i}`, name })) as [
        UserRef,
        UserRef,
        UserRef,
      ];
      const post = (from: UserRef, text: string, fromAddress = shared) =>
        store.postRoomMessage({ room: "GENERAL", from, text, at: t0 }, fromAddress);
      expect(await post(ann, "a1")).toMatchObject({ ok: true });
      expect(await post(ann, "a2")).toMatchObject({ ok: true });
      expect(await post(bea, "b1")).toMatchObject({ ok: true });
      // The address has sent its three, whoever sends next.
      const refused = await post(bea, "b2");
      expect(refused).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!refused.ok && refused.retryAfterMs).toBeGreaterThan(8_000);
      expect(await post(cy, "c1")).toMatchObject({ ok: false, code: "rate_limited" });
      // Another address is not charged for it.
      expect(await post(cy, "c2", { ...shared, address: "2001:db8:1::/64" })).toMatchObject({ ok: true });
      expect((await store.roomHistory("GENERAL")).map((m) => m.text)).toEqual(["a1", "a2", "b1", "c2"]);
    });

    it("charges senders' budgets in batches and answers each one's use of the window", async () => {
      const limit = { points: 5, windowMs: 10_000 };
      const t0 = Date.now();
      const charges = [
        { userId: "u1", count: 2 },
        { userId: "u2", count: 1 },
      ];
      expect(await store.chargeRoomMessages(charges, limit, t0)).toEqual([
        { used: 2, windowStart: t0 },
        { used: 1, windowStart: t0 },
      ]);
      // Another instance, later in the window: the use is the cluster's, the window the first one's.
      expect(await store.chargeRoomMessages([{ userId: "u1", count: 4 }], limit, t0 + 1_000)).toEqual([
        { used: 6, windowStart: t0 },
      ]);
      // The window over: the count starts again.
      expect(await store.chargeRoomMessages([{ userId: "u1", count: 1 }], limit, t0 + 10_001)).toEqual([
        { used: 1, windowStart: t0 + 10_001 },
      ]);
    });

    it("refuses a flood from one sender over two instances within the bound of post-budgets.ts", async () => {
      const limit = { points: 20, windowMs: 10_000 };
      const burst = 5;
      let now = Date.now();
      const clock = () => now;
      const logger = pino({ level: "silent" });
      const instances = [0, 1].map(() => createPostBudgets(store, limit, { clock, logger, burst }));
      try {
        // At a person's pace (each charge answered before the next message): points + burst at most.
        let accepted = 0;
        for (let i = 0; i < 60; i++) {
          const instance = instances[i % 2]!;
          if (instance.take("u1", now) === null) accepted += 1;
          await instance.settled();
        }
        expect(accepted).toBeGreaterThanOrEqual(limit.points);
        expect(accepted).toBeLessThanOrEqual(limit.points + burst);
        // Each instance's view now refuses, with the wait until the window ends.
        for (const instance of instances) {
          await instance.flush();
          expect(instance.take("u1", now)).toBeGreaterThan(9_000);
        }
        // A flood faster than a charge's round trip: each instance refuses past the points on its own.
        now += limit.windowMs + 1;
        const burstAccepted = Array.from({ length: 60 }, (_, i) => instances[i % 2]!.take("u2", now)).filter(
          (wait) => wait === null,
        ).length;
        expect(burstAccepted).toBeLessThanOrEqual(2 * limit.points);
        await Promise.all(instances.map((instance) => instance.flush()));
        for (const instance of instances) expect(instance.take("u2", now)).not.toBeNull();
        // A new window takes again.
        now += limit.windowMs + 1;
        expect(instances[0]!.take("u1", now)).toBeNull();
      } finally {
        await Promise.all(instances.map((instance) => instance.close()));
      }
    });

    it("keeps room message ids increasing after the Store lost its data", async () => {
      const from = { id: "u1", name: "Ann" };
      const t0 = Date.now();
      const before = await store.appendRoomMessage({ room: "GENERAL", from, text: "one", at: t0 });
      await store.appendRoomMessage({ room: "GENERAL", from, text: "two", at: t0 + 1 });
      await store.close();
      store = await makeStore(); // empty again: Redis restarted without persistence
      const after = await store.appendRoomMessage({ room: "GENERAL", from, text: "three", at: t0 + 1_000 });
      expect(after.id).toBeGreaterThan(before.id + 1);
    });

    it("counts occupancy per room", async () => {
      await enter("K1", "GENERAL");
      await enter("K2", "GENERAL");
      await enter("K3", "GAMES");
      const counts = await store.occupancy(["GENERAL", "SPORTS", "GAMES"]);
      expect(counts.map((room) => room.count)).toEqual([2, 0, 1]);
      expect(counts.map((room) => room.version)).toEqual([2, 0, 1]); // one membership change each
    });
  });
}
