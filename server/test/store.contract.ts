// The Store contract: one suite, run against every implementation (see store.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { HISTORY_LIMIT } from "../src/state/store.js";

export function storeContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup: (store: Store) => Promise<void>,
) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const far = () => Date.now() + 60_000;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await cleanup(store);
    });

    async function enter(userName: string, room = "GENERAL") {
      const created = await store.createSession({
        name: userName,
        nameKey: userName.toLowerCase(),
        room,
        graceDeadline: far(),
      });
      if (!created.ok) throw new Error(`could not create ${userName}`);
      const attached = await store.attachConnection(created.session.id, `conn-${userName}`);
      return { ...created, attached: attached! };
    }

    it("claims a name once and frees it when the session ends", async () => {
      const first = await store.createSession({
        name: "Alice",
        nameKey: "alice",
        room: "GENERAL",
        graceDeadline: far(),
      });
      expect(first.ok).toBe(true);
      const again = await store.createSession({
        name: "ALICE",
        nameKey: "alice",
        room: "SPORTS",
        graceDeadline: far(),
      });
      expect(again).toEqual({ ok: false, code: "name_taken" });
      if (!first.ok) return;
      await store.endSession(first.session.id);
      const after = await store.createSession({
        name: "alice",
        nameKey: "alice",
        room: "SPORTS",
        graceDeadline: far(),
      });
      expect(after.ok).toBe(true);
    });

    it("lets exactly one of 50 concurrent claims of one name win", async () => {
      const claims = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.createSession({ name: `Bob${i}`, nameKey: "bob", room: "GENERAL", graceDeadline: far() }),
        ),
      );
      expect(claims.filter((claim) => claim.ok)).toHaveLength(1);
    });

    it("resolves tokens to sessions and forgets them after the session ends", async () => {
      const { token, session } = await enter("Carol");
      expect(await store.findSessionIdByToken(token)).toBe(session.id);
      expect(await store.findSessionIdByToken(`${token}x`)).toBeNull();
      await store.endSession(session.id);
      expect(await store.findSessionIdByToken(token)).toBeNull();
      expect(await store.getSession(session.id)).toBeNull();
    });

    it("enters the room on the first attach only, and reports later attaches as resumed", async () => {
      const { session, attached } = await enter("Dan", "SPORTS");
      expect(attached.resumed).toBe(false);
      expect(attached.entered).toMatchObject({
        room: "SPORTS",
        member: { id: session.id, name: "Dan", status: "online" },
      });
      const snapshot = await store.roomSnapshot("SPORTS");
      expect(snapshot.members).toEqual([{ id: session.id, name: "Dan", status: "online" }]);
      expect(snapshot.version).toBe(attached.entered!.version);

      const second = await store.attachConnection(session.id, "conn-2");
      expect(second).toMatchObject({ resumed: true });
      expect(second!.entered).toBeUndefined();
      expect((await store.roomSnapshot("SPORTS")).version).toBe(snapshot.version);
    });

    it("expires a session only after its last connection has been gone past the grace period", async () => {
      const { session } = await enter("Eve");
      await store.attachConnection(session.id, "conn-b");
      const now = Date.now();
      await store.detachConnection(session.id, "conn-Eve", now + 100);
      expect(await store.takeExpiredSessions(now + 1_000, 10)).toEqual([]);

      await store.detachConnection(session.id, "conn-b", now + 100);
      expect(await store.takeExpiredSessions(now + 50, 10)).toEqual([]);
      const expired = await store.takeExpiredSessions(now + 200, 10);
      expect(expired).toHaveLength(1);
      expect(expired[0]!.session.id).toBe(session.id);
      expect(expired[0]!.left).toMatchObject({ room: "GENERAL", member: { id: session.id } });
      expect((await store.roomSnapshot("GENERAL")).members).toEqual([]);
      expect(
        (await store.createSession({ name: "Eve", nameKey: "eve", room: "GENERAL", graceDeadline: far() }))
          .ok,
      ).toBe(true);
    });

    it("keeps a session that reconnects within its grace period", async () => {
      const { session } = await enter("Finn");
      const now = Date.now();
      await store.detachConnection(session.id, "conn-Finn", now + 100);
      const back = await store.attachConnection(session.id, "conn-again");
      expect(back!.resumed).toBe(true);
      expect(await store.takeExpiredSessions(now + 1_000, 10)).toEqual([]);
      expect((await store.roomSnapshot("GENERAL")).members.map((m) => m.name)).toEqual(["Finn"]);
    });

    it("expires a session that never connected, without a room change", async () => {
      const created = await store.createSession({
        name: "Gus",
        nameKey: "gus",
        room: "GENERAL",
        graceDeadline: Date.now() - 1,
      });
      expect(created.ok).toBe(true);
      const expired = await store.takeExpiredSessions(Date.now(), 10);
      expect(expired).toHaveLength(1);
      expect(expired[0]!.left).toBeUndefined();
    });

    it("hands each expired session to exactly one of several concurrent reapers", async () => {
      const past = Date.now() - 1;
      for (let i = 0; i < 20; i++) {
        await store.createSession({ name: `R${i}`, nameKey: `r${i}`, room: "GENERAL", graceDeadline: past });
      }
      const batches = await Promise.all([1, 2, 3, 4].map(() => store.takeExpiredSessions(Date.now(), 100)));
      const ids = batches.flat().map((ended) => ended.session.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    it("moves a member between rooms with one versioned change on each side", async () => {
      const { session } = await enter("Hana", "GENERAL");
      const before = await store.roomSnapshot("GENERAL");
      const move = await store.moveToRoom(session.id, "GAMES");
      expect(move!.session.room).toBe("GAMES");
      expect(move!.left).toMatchObject({
        room: "GENERAL",
        version: before.version + 1,
        member: { name: "Hana" },
      });
      expect(move!.joined).toMatchObject({ room: "GAMES", member: { name: "Hana" } });
      expect((await store.roomSnapshot("GENERAL")).members).toEqual([]);
      expect((await store.roomSnapshot("GAMES")).members.map((m) => m.name)).toEqual(["Hana"]);
      expect((await store.getSession(session.id))!.room).toBe("GAMES");

      const same = await store.moveToRoom(session.id, "GAMES");
      expect(same!.left).toBeUndefined();
      expect(same!.joined).toBeUndefined();
    });

    it("records a status change in the member list with a new version", async () => {
      const { session, attached } = await enter("Ivo");
      const result = await store.setStatus(session.id, "absent");
      expect(result!.changed).toMatchObject({
        version: attached.entered!.version + 1,
        member: { status: "absent" },
      });
      expect((await store.roomSnapshot("GENERAL")).members[0]!.status).toBe("absent");
      expect((await store.getSession(session.id))!.status).toBe("absent");
    });

    it("numbers room messages in order, keeps the last 100 and replays what follows an id", async () => {
      const from = { id: "u1", name: "Jo" };
      const sent = await Promise.all(
        Array.from({ length: HISTORY_LIMIT + 20 }, (_, i) =>
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

    it("counts occupancy per room", async () => {
      await enter("K1", "GENERAL");
      await enter("K2", "GENERAL");
      await enter("K3", "GAMES");
      expect(await store.occupancy(["GENERAL", "SPORTS", "GAMES"])).toEqual([2, 0, 1]);
    });

    it("answers ping", async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
