// The Store contract for rooms: message ids and history, the one-step post with its budget,
// occupancy.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { HISTORY_LIMIT } from "../src/state/store.js";
import { enterRoom, openSession } from "./support/store.js";

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
    const session = (userName: string, ...connections: string[]) =>
      openSession(store, userName, ...connections);

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

    it("posts a room message in one step: member check, budget, append", async () => {
      const ann = await session("Ann", "a1");
      const t0 = Date.now();
      const from = { id: ann.id, name: "Ann" };
      const limit = { points: 2, windowMs: 10_000 };
      expect(await store.postRoomMessage({ room: "SPORTS", from, text: "x", at: t0 }, limit)).toEqual({
        ok: false,
        code: "not_in_room",
      });
      const first = await store.postRoomMessage({ room: "GENERAL", from, text: "one", at: t0 }, limit);
      expect(first).toMatchObject({ ok: true, message: { room: "GENERAL", text: "one", from } });
      await store.postRoomMessage({ room: "GENERAL", from, text: "two", at: t0 + 1 }, limit);
      const third = await store.postRoomMessage({ room: "GENERAL", from, text: "three", at: t0 + 2 }, limit);
      expect(third).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!third.ok && third.code === "rate_limited" && third.retryAfterMs).toBeGreaterThan(9_000);
      expect((await store.roomHistory("GENERAL")).map((m) => m.text)).toEqual(["one", "two"]);
    });

    it("charges a client address's budget across its senders' sessions, after each sender's own", async () => {
      const limit = { points: 2, windowMs: 10_000 };
      const shared = { address: "203.0.113.7", points: 3, windowMs: 10_000 };
      const t0 = Date.now();
      const people = [];
      for (const userName of ["Ann", "Bea", "Cy"]) {
        const person = await session(userName, `${userName}-1`);
        people.push({ id: person.id, name: userName });
      }
      const [ann, bea, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
      const post = (from: typeof ann, text: string, fromAddress = shared) =>
        store.postRoomMessage({ room: "GENERAL", from, text, at: t0 }, limit, fromAddress);
      expect(await post(ann, "a1")).toMatchObject({ ok: true });
      expect(await post(ann, "a2")).toMatchObject({ ok: true });
      // Ann's own budget refuses her third before the address is charged for it.
      expect(await post(ann, "a3")).toMatchObject({ ok: false, code: "rate_limited" });
      expect(await post(bea, "b1")).toMatchObject({ ok: true });
      // Bea is within her own budget; the address has sent its three.
      const refused = await post(bea, "b2");
      expect(refused).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!refused.ok && refused.code === "rate_limited" && refused.retryAfterMs).toBeGreaterThan(8_000);
      expect(await post(cy, "c1")).toMatchObject({ ok: false, code: "rate_limited" });
      // Another address is not charged for it.
      expect(await post(cy, "c2", { ...shared, address: "2001:db8:1::/64" })).toMatchObject({ ok: true });
      expect((await store.roomHistory("GENERAL")).map((m) => m.text)).toEqual(["a1", "a2", "b1", "c2"]);
    });

    it("keeps the sender's message budget across rooms, and refuses a post where they no longer are", async () => {
      const ann = await session("Ann", "a1");
      const t0 = Date.now();
      const from = { id: ann.id, name: "Ann" };
      const limit = { points: 3, windowMs: 10_000 };
      const post = (room: string, text: string, at: number) =>
        store.postRoomMessage({ room, from, text, at }, limit);
      expect(await post("GENERAL", "one", t0)).toMatchObject({ ok: true });
      expect(await post("GENERAL", "two", t0 + 1)).toMatchObject({ ok: true });
      await store.moveToRoom(ann.id, "SPORTS");
      expect(await post("GENERAL", "late", t0 + 2)).toEqual({ ok: false, code: "not_in_room" });
      expect(await post("SPORTS", "three", t0 + 3)).toMatchObject({ ok: true });
      const fourth = await post("SPORTS", "four", t0 + 4);
      expect(fourth).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!fourth.ok && fourth.code === "rate_limited" && fourth.retryAfterMs).toBeGreaterThan(9_000);
      // Back where it started: the budget is still the user's, not the room's.
      await store.moveToRoom(ann.id, "GENERAL");
      expect(await post("GENERAL", "five", t0 + 5)).toMatchObject({ ok: false, code: "rate_limited" });
      // A new window starts the count again.
      expect(await post("GENERAL", "six", t0 + 10_001)).toMatchObject({ ok: true });
      expect((await store.roomHistory("GENERAL")).map((m) => m.text)).toEqual(["one", "two", "six"]);
      expect((await store.roomHistory("SPORTS")).map((m) => m.text)).toEqual(["three"]);
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
