// The Store contract for faults: instance runs that die or restart, lost sessions rebuilt, tab caps,
// deadlines that live in the Store, and cross-feature rules inside one atomic step. Run against every
// implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";

export function storeFaultsContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (faults): ${name}`, () => {
    let store: Store;
    const far = () => Date.now() + 60_000;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function session(userName: string, ...connections: string[]) {
      const created = await store.createSession({
        name: userName,
        nameKey: userName.toLowerCase(),
        room: "GENERAL",
        graceDeadline: far(),
      });
      if (!created.ok) throw new Error(userName);
      for (const connection of connections) {
        const attached = await store.attachConnection(created.session.id, connection, 8);
        if (!attached.ok) throw new Error(attached.code);
      }
      return { ...created.session, token: created.token };
    }
    const names = async (room = "GENERAL") =>
      (await store.roomSnapshot(room)).members.map((m) => m.name).sort();

    it("registers a run once, and tells it when it had been declared dead", async () => {
      const none = { predecessors: [], changes: [] };
      expect(await store.heartbeat("i1#a", 1, 1_000)).toEqual({ added: true, ...none });
      expect(await store.heartbeat("i1#a", 2, 1_000)).toEqual({ added: false, ...none });
      expect(await store.takeOverDeadInstances(100_000, 10_000, 1_000)).toEqual({
        instances: ["i1#a"],
        changes: [],
      });
      expect((await store.heartbeat("i1#a", 100_001, 1_000)).added).toBe(true);
      await store.retireInstance("i1#a");
      expect(await store.takeOverDeadInstances(1e13, 1, 1)).toEqual({ instances: [], changes: [] });
    });

    it("takes over a silent run's connections once, with grace counted from its last heartbeat", async () => {
      const t0 = Date.now();
      const grace = 5_000;
      await store.heartbeat("i1#a", t0, grace);
      await store.heartbeat("i2#a", t0, grace);
      const onlyOnI1 = await session("a", "i1#a/s1");
      await session("b", "i2#a/s2");
      await session("c", "i1#a/x", "i2#a/y");
      const movedAway = await session("d", "i1#a/s4");
      await store.detachConnection(movedAway.id, "i1#a/s4", t0 + 60_000);
      await store.attachConnection(movedAway.id, "i2#a/s5", 8);

      expect((await store.takeOverDeadInstances(t0 + 5_000, 10_000, grace)).instances).toEqual([]);
      await store.heartbeat("i2#a", t0 + 9_000, grace);
      const takers = await Promise.all(
        [1, 2, 3].map(() => store.takeOverDeadInstances(t0 + 11_000, 10_000, grace)),
      );
      expect(takers.flatMap((taken) => taken.instances)).toEqual(["i1#a"]);
      const expired = await store.takeExpiredSessions(t0 + grace + 1, 100);
      expect(expired.map((ended) => ended.session.id)).toEqual([onlyOnI1.id]);
      expect(await names()).toEqual(["b", "c", "d"]);
    });

    it("makes a restarted run (same instance id, new incarnation) take over its predecessor at once", async () => {
      const t0 = Date.now();
      const grace = 12_000;
      await store.heartbeat("app1#old", t0, grace);
      await store.heartbeat("app2#x", t0, grace);
      const gone = await session("Gone", "app1#old/s1");
      const resumed = await session("Resumed", "app1#old/s2");
      // Resumed reconnected to app2 before app1 came back; its stale app1 entry must not pin it.
      await store.attachConnection(resumed.id, "app2#x/s3", 8);

      const restart = await store.heartbeat("app1#new", t0 + 4_000, grace);
      expect(restart).toEqual({ added: true, predecessors: ["app1#old"], changes: [] });
      // Nothing is left for the dead-instance sweep to find later.
      expect((await store.takeOverDeadInstances(t0 + 60_000, 100_000, grace)).instances).toEqual([]);

      expect(await store.takeExpiredSessions(t0 + grace - 1, 100)).toEqual([]);
      const expired = await store.takeExpiredSessions(t0 + grace + 1, 100);
      expect(expired.map((ended) => ended.session.name)).toEqual(["Gone"]);
      expect(await names()).toEqual(["Resumed"]);
      // Resumed closes its last tab: it expires after its own grace, like anyone.
      await store.detachConnection(resumed.id, "app2#x/s3", t0 + grace + 5);
      expect((await store.takeExpiredSessions(t0 + grace + 10, 100)).map((e) => e.session.name)).toEqual([
        "Resumed",
      ]);
      expect(gone.id).not.toBe(resumed.id);
    });

    it("shows a member absent when a takeover leaves only idle tabs (found by the fuzz suite)", async () => {
      const t0 = Date.now();
      const grace = 5_000;
      await store.heartbeat("i1#a", t0, grace);
      await store.heartbeat("i2#a", t0, grace);
      await store.heartbeat("i3#a", t0, grace);
      const ann = await session("Ann", "i1#a/s1", "i2#a/s2", "i3#a/s3");
      await store.setConnectionIdle(ann.id, "i3#a/s3", true);
      await store.setConnectionIdle(ann.id, "i2#a/s2", true);
      const status = async () => (await store.roomSnapshot("GENERAL")).members[0]?.status;
      expect(await status()).toBe("online"); // her tab on i1 is active

      // i1 dies and a live run takes it over: Ann's remaining tabs are idle.
      await store.heartbeat("i2#a", t0 + 9_000, grace);
      await store.heartbeat("i3#a", t0 + 9_000, grace);
      const { instances, changes } = await store.takeOverDeadInstances(t0 + 11_000, 10_000, grace);
      expect(instances).toEqual(["i1#a"]);
      expect(changes).toMatchObject([{ room: "GENERAL", member: { name: "Ann", status: "absent" } }]);
      expect(await status()).toBe("absent");

      // Her tab on i3 becomes active, then i3 restarts: the new run takes over its predecessor at once.
      await store.setConnectionIdle(ann.id, "i3#a/s3", false);
      expect(await status()).toBe("online");
      const restart = await store.heartbeat("i3#b", t0 + 10_000, grace);
      expect(restart.predecessors).toEqual(["i3#a"]);
      expect(restart.changes).toMatchObject([{ member: { name: "Ann", status: "absent" } }]);
      expect(await status()).toBe("absent");
    });

    it("caps the connections of one session", async () => {
      const ann = await session("Ann", "c1", "c2");
      expect(await store.attachConnection(ann.id, "c3", 3)).toMatchObject({ ok: true });
      expect(await store.attachConnection(ann.id, "c4", 3)).toEqual({
        ok: false,
        code: "too_many_connections",
      });
      expect(await store.attachConnection(ann.id, "c3", 3)).toMatchObject({ ok: true }); // already counted
      await store.detachConnection(ann.id, "c1", far());
      expect(await store.attachConnection(ann.id, "c4", 3)).toMatchObject({ ok: true });
      expect(await store.attachConnection("nobody", "c9", 3)).toEqual({ ok: false, code: "session_unknown" });
    });

    it("rebuilds a lost session from a socket's snapshot, unless its name was taken meanwhile", async () => {
      const ann = await session("Ann", "c1");
      await store.moveToRoom(ann.id, "SPORTS");
      const lost = await store.getSession(ann.id);
      await store.endSession(ann.id); // as if Redis came back empty, or the session was reaped
      const snapshot = {
        id: ann.id,
        name: "Ann",
        nameKey: "ann",
        tokenDigest: "digest-of-ann",
        room: "SPORTS",
        roomSeq: lost!.roomSeq,
        status: "unavailable" as const,
      };
      const restored = await store.restoreSession(snapshot, "c1", 8);
      expect(restored).toMatchObject({
        ok: true,
        resumed: false,
        session: { id: ann.id, name: "Ann", room: "SPORTS", status: "unavailable", roomSeq: 1 },
        entered: { room: "SPORTS", member: { name: "Ann", status: "unavailable" } },
      });
      expect(await names("SPORTS")).toEqual(["Ann"]);
      expect(
        (await store.createSession({ name: "ANN", nameKey: "ann", room: "GENERAL", graceDeadline: far() }))
          .ok,
      ).toBe(false);
      // A second socket of the same session now simply attaches.
      expect(await store.restoreSession(snapshot, "c2", 8)).toMatchObject({ ok: true, resumed: true });

      const bo = await session("Bo", "b1");
      await store.endSession(bo.id);
      await session("bo", "b9"); // someone else claimed the name meanwhile
      const refused = await store.restoreSession(
        { ...snapshot, id: bo.id, name: "Bo", nameKey: "bo", tokenDigest: "digest-of-bo", room: "GENERAL" },
        "b1",
        8,
      );
      expect(refused).toEqual({ ok: false, code: "name_taken" });
    });

    it("closes the mover's private chat in the same step as the move", async () => {
      const ann = await session("Ann", "a1");
      const bo = await session("Bo", "b1");
      const opened = await store.openPrivateChat(bo.id, ann.id);
      if (!opened.ok) throw new Error(opened.code);
      const move = await store.moveToRoom(ann.id, "SPORTS");
      expect(move?.closedChat?.chat.id).toBe(opened.chat.id);
      expect(move?.closedChat?.changes.map((c) => [c.member.name, c.member.busy, c.room]).sort()).toEqual([
        ["Ann", false, "GENERAL"],
        ["Bo", false, "GENERAL"],
      ]);
      expect(move?.session).toMatchObject({ room: "SPORTS", roomSeq: 1 });
      expect(move?.session.chatId).toBeUndefined();
      expect((await store.getSession(bo.id))?.chatId).toBeUndefined();
      expect(await store.getPrivateChat(opened.chat.id)).toBeNull();
    });

    it("never leaves a private chat between two rooms when a move and an open race (60 trials)", async () => {
      for (let trial = 0; trial < 60; trial++) {
        const a = await session(`a${trial}`, `a${trial}/c`);
        const b = await session(`b${trial}`, `b${trial}/c`);
        await Promise.all([store.moveToRoom(a.id, "SPORTS"), store.openPrivateChat(b.id, a.id)]);
        const [sa, sb] = await Promise.all([store.getSession(a.id), store.getSession(b.id)]);
        if (sa?.chatId || sb?.chatId) {
          expect(sa?.chatId).toBe(sb?.chatId);
          expect(sa?.room).toBe(sb?.room);
        }
        expect(sa?.room).toBe("SPORTS");
      }
    });

    it("makes a session absent only while every one of its tabs is idle, and never overrides a choice", async () => {
      const ann = await session("Ann", "c1", "c2");
      const status = async () => {
        const s = await store.getSession(ann.id);
        return [s?.status, s?.chosen, (await store.roomSnapshot("GENERAL")).members[0]?.status];
      };
      expect((await store.setConnectionIdle(ann.id, "c1", true))?.changed).toBeUndefined();
      expect(await status()).toEqual(["online", "online", "online"]); // the duplicated tab is idle, its twin is not
      expect((await store.setConnectionIdle(ann.id, "c2", true))?.changed?.member.status).toBe("absent");
      expect(await status()).toEqual(["absent", "online", "absent"]);
      const third = await store.attachConnection(ann.id, "c3", 8);
      expect(third.ok && third.updated?.member.status).toBe("online");
      expect((await store.detachConnection(ann.id, "c3", far())).changed?.member.status).toBe("absent");
      expect((await store.setConnectionIdle(ann.id, "c1", false))?.changed?.member.status).toBe("online");

      await store.setConnectionIdle(ann.id, "c1", true);
      expect((await store.setStatus(ann.id, "unavailable"))?.session).toMatchObject({
        status: "unavailable",
        chosen: "unavailable",
      });
      expect((await store.setConnectionIdle(ann.id, "c2", false))?.changed).toBeUndefined();
      await store.setConnectionIdle(ann.id, "c2", true);
      expect((await store.setStatus(ann.id, "online"))?.session).toMatchObject({
        status: "absent",
        chosen: "online",
      });
      expect(await store.setConnectionIdle(ann.id, "unknown-tab", true)).toBeNull();
      expect(await store.setConnectionIdle("nobody", "c1", true)).toBeNull();
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

    it("fires a ring deadline once, only while the call still rings", async () => {
      const ann = await session("Ann", "a1");
      const bo = await session("Bo", "b1");
      const opened = await store.openPrivateChat(ann.id, bo.id);
      if (!opened.ok) throw new Error(opened.code);
      const t0 = Date.now();
      const rung = await store.startCall(opened.chat.id, ann.id, t0 + 4_000);
      if (!rung.ok) throw new Error(rung.code);
      expect(await store.takeMissedCalls(t0 + 3_999, 10)).toEqual([]);
      const takers = await Promise.all([1, 2, 3].map(() => store.takeMissedCalls(t0 + 4_000, 10)));
      expect(takers.flat()).toEqual([
        { chat: expect.objectContaining({ id: opened.chat.id }), callId: rung.call.id, callerId: ann.id },
      ]);
      expect((await store.getPrivateChat(opened.chat.id))?.call).toBeUndefined();
      expect(await store.startCall(opened.chat.id, ann.id, t0 + 8_000)).toMatchObject({ ok: true });

      // An answered call is not missed.
      const answered = await store.getPrivateChat(opened.chat.id);
      await store.answerCall(opened.chat.id, bo.id, answered!.call!.id, true);
      expect(await store.takeMissedCalls(t0 + 60_000, 10)).toEqual([]);
      expect((await store.getPrivateChat(opened.chat.id))?.call?.state).toBe("active");
    });
  });
}
