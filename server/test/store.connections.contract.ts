// The Store contract for connections (tabs) and instance runs: attaching and the one-step join,
// tab caps, idleness, grace renewal, lost sessions rebuilt, heartbeats and the takeover of dead or
// restarted runs.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { claimName, enterRoom, openSession, boPosts } from "./support/store.js";

export function storeConnectionsContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (connections): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const far = () => Date.now() + 60_000;
    const claim = (userName: string) => claimName(store, userName);
    const enter = (userName: string, room = "GENERAL") => enterRoom(store, userName, room);
    const session = (userName: string, ...connections: string[]) =>
      openSession(store, userName, ...connections);
    const names = async (room = "GENERAL") =>
      (await store.roomSnapshot(room)).members.map((m) => m.name).sort();
    /** Bo, connected in `room`, has said `text` there. */
    const boSays = (text: string, room = "GENERAL") => boPosts(store, text, room);

    it("enters the room on the first attach only, and reports later attaches as resumed", async () => {
      const { session, attached } = await enter("Dan", "SPORTS");
      expect(attached.resumed).toBe(false);
      expect(attached.entered).toMatchObject({
        room: "SPORTS",
        member: { id: session.id, name: "Dan", status: "online" },
      });
      const snapshot = await store.roomSnapshot("SPORTS");
      expect(snapshot.members).toEqual([{ id: session.id, name: "Dan", status: "online", busy: false }]);
      expect(snapshot.version).toBe(attached.entered!.version);

      const second = await store.attachConnection(session.id, "conn-2", 8);
      expect(second).toMatchObject({ resumed: true });
      expect(second.ok && second.entered).toBeUndefined();
      expect((await store.roomSnapshot("SPORTS")).version).toBe(snapshot.version);
    });

    it("resolves the token, enters the room and answers the room as it is after the arrival", async () => {
      await boSays("hi");
      const ann = await claim("Ann");
      const connected = await store.connect(ann.token, "i1#a/ann", 8);
      if (!connected.ok) throw new Error(connected.code);
      expect(connected).toMatchObject({ resumed: false, session: { id: ann.session.id, room: "GENERAL" } });
      expect(connected.entered).toMatchObject({ room: "GENERAL", member: { id: ann.session.id } });
      expect(connected.view.version).toBe(connected.entered!.version);
      expect(connected.view.version).toBe((await store.roomSnapshot("GENERAL")).version);
      expect(await store.roomVersion("GENERAL")).toBe(connected.view.version);
      expect(await store.roomVersion("EMPTY")).toBe(0);
      expect(connected.view.members.map((member) => member.name).sort()).toEqual(["Ann", "Bo"]);
      expect(connected.view.history.map((message) => message.text)).toEqual(["hi"]);
      expect(connected.view.groupCall).toBeNull();
      // The handshake's session is attached: it no longer expires.
      expect(await store.takeExpiredSessions(far() + 1, 10)).toEqual([]);
    });

    it("reports a second tab as resumed, with the room's current version", async () => {
      const ann = await claim("Ann");
      await store.connect(ann.token, "i1#a/one", 8);
      await store.setStatus(ann.session.id, "unavailable");
      const again = await store.connect(ann.token, "i2#b/two", 8);
      if (!again.ok) throw new Error(again.code);
      expect(again).toMatchObject({ resumed: true, session: { status: "unavailable" } });
      expect(again.entered).toBeUndefined();
      expect(again.updated).toBeUndefined();
      expect(again.view.version).toBe((await store.roomSnapshot("GENERAL")).version);
    });

    it("brings an automatically absent member back when a new tab connects", async () => {
      const ann = await claim("Ann");
      await store.connect(ann.token, "i1#a/one", 8);
      const idle = await store.setConnectionIdle(ann.session.id, "i1#a/one", true);
      expect(idle?.changed?.member.status).toBe("absent");
      const back = await store.connect(ann.token, "i1#a/two", 8);
      if (!back.ok) throw new Error(back.code);
      expect(back.updated?.member.status).toBe("online");
      expect(back.view.version).toBe(back.updated!.version);
      expect(back.view.members).toEqual([expect.objectContaining({ name: "Ann", status: "online" })]);
    });

    it("refuses an unknown token, and a tab past the cap with the session it belongs to", async () => {
      expect(await store.connect("no-such-token", "i1#a/x", 8)).toEqual({
        ok: false,
        code: "session_unknown",
      });
      const ann = await claim("Ann");
      // The right session with another secret is no token of it.
      const forged = `${ann.session.id}.${"A".repeat(43)}`;
      expect(await store.connect(forged, "i1#a/x", 8)).toEqual({ ok: false, code: "session_unknown" });
      await store.connect(ann.token, "i1#a/one", 1);
      expect(await store.connect(ann.token, "i1#a/two", 1)).toEqual({
        ok: false,
        code: "too_many_connections",
        userId: ann.session.id,
      });
      // The refused tab was not counted: the first one is still the only one.
      expect(await store.connect(ann.token, "i1#a/one", 1)).toMatchObject({ ok: true, resumed: true });
    });

    it("checks the session's hold-off and attach budget in the connect step, after its token", async () => {
      const ann = await claim("Ann");
      const now = Date.now();
      const attach = (at: number) => ({ points: 2, windowMs: 10_000, now: at });
      // A forged token spends nothing of the session's budget.
      const forged = `${ann.session.id}.${"A".repeat(43)}`;
      for (let i = 0; i < 3; i++)
        expect(await store.connect(forged, "i1#a/x", 8, attach(now))).toEqual({
          ok: false,
          code: "session_unknown",
        });
      expect(await store.connect(ann.token, "i1#a/one", 8, attach(now))).toMatchObject({ ok: true });
      expect(await store.connect(ann.token, "i1#a/two", 8, attach(now + 1))).toMatchObject({ ok: true });
      // The third try in the window is refused, with the rest of the window, and attaches nothing.
      expect(await store.connect(ann.token, "i1#a/three", 8, attach(now + 4000))).toEqual({
        ok: false,
        code: "rate_limited",
        userId: ann.session.id,
        retryAfterMs: 6000,
      });
      // Two tabs so far: a third fits under a cap of three.
      expect(await store.attachConnection(ann.session.id, "i1#a/x", 3)).toMatchObject({ ok: true });
      // A new window takes tabs again.
      expect(await store.connect(ann.token, "i1#a/three", 8, attach(now + 10_000))).toMatchObject({
        ok: true,
        resumed: true,
      });
      // Held off: refused until the hold-off's end, whatever the budget; without `attach`, not asked.
      await store.holdOff(ann.session.id, now + 30_000);
      expect(await store.connect(ann.token, "i1#a/four", 8, attach(now + 25_000))).toEqual({
        ok: false,
        code: "flooding",
        userId: ann.session.id,
        retryAfterMs: 5000,
      });
      expect(await store.connect(ann.token, "i1#a/four", 8, attach(now + 30_000))).toMatchObject({
        ok: true,
      });
      // A gone session is held off by nobody (and nothing of it is written back).
      await store.holdOff("no-such-session", now + 30_000);
      expect(await store.attachConnection("no-such-session", "i1#a/x", 8)).toEqual({
        ok: false,
        code: "session_unknown",
      });
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

    it("takes a choice of online from a tab known active as online, without the other tabs' say", async () => {
      const ann = await session("Ann", "c1", "c2");
      await store.setConnectionIdle(ann.id, "c1", true);
      await store.setStatus(ann.id, "absent");
      // c2 chooses online: it is active (as the caller knows), so online, whatever c1 is.
      const chosen = await store.setStatus(ann.id, "online", undefined, true);
      expect(chosen?.session).toMatchObject({ status: "online", chosen: "online" });
      expect(chosen?.changed?.member.status).toBe("online");
      expect((await store.roomSnapshot("GENERAL")).members[0]?.status).toBe("online");
      // Without the hint the tabs are read: one active tab is enough.
      await store.setStatus(ann.id, "unavailable");
      expect((await store.setStatus(ann.id, "online", undefined, false))?.session.status).toBe("online");
      // A choice other than online is what the room sees, hint or not.
      expect((await store.setStatus(ann.id, "unavailable", undefined, true))?.session.status).toBe(
        "unavailable",
      );
    });

    it("charges status choices and tab idleness to one presence budget, refusing past it without a change", async () => {
      const ann = await session("Ann", "c1");
      const bo = await session("Bo", "c2");
      const budget = { points: 3, windowMs: 60_000, now: Date.now() };
      expect((await store.setStatus(ann.id, "absent", budget))?.retryAfterMs).toBeUndefined();
      expect((await store.setConnectionIdle(ann.id, "c1", true, budget))?.retryAfterMs).toBeUndefined();
      expect((await store.setStatus(ann.id, "online", budget))?.changed?.member.status).toBe("absent");
      const refused = await store.setStatus(ann.id, "unavailable", budget);
      expect(refused?.retryAfterMs).toBeGreaterThan(0);
      expect(refused?.retryAfterMs).toBeLessThanOrEqual(budget.windowMs);
      expect(refused?.changed).toBeUndefined();
      expect(refused?.session).toMatchObject({ chosen: "online", status: "absent" });
      const idle = await store.setConnectionIdle(ann.id, "c1", false, budget);
      expect(idle?.retryAfterMs).toBeGreaterThan(0);
      expect((await store.getSession(ann.id))?.status).toBe("absent");
      // The window ends a windowMs after its first charge (the caller's clock): the rest of it to wait.
      const later = { ...budget, now: budget.now + 45_000 };
      expect((await store.setStatus(ann.id, "unavailable", later))?.retryAfterMs).toBe(15_000);
      const next = { ...budget, now: budget.now + 60_000 };
      expect((await store.setStatus(ann.id, "online", next))?.retryAfterMs).toBeUndefined();
      // Without a charge (the Store's own callers) and for another user, nothing is refused.
      expect((await store.setConnectionIdle(ann.id, "c1", false))?.changed?.member.status).toBe("online");
      expect((await store.setStatus(bo.id, "absent", budget))?.changed?.member.status).toBe("absent");
      // Unknown sessions and tabs are null before any charge.
      expect(await store.setStatus("nobody", "absent", budget)).toBeNull();
      expect(await store.setConnectionIdle(bo.id, "unknown-tab", true, budget)).toBeNull();
    });

    it("renews the grace of a session without connections only while it lasts", async () => {
      const created = await store.createSession({
        name: "Hal",
        nameKey: "hal",
        room: "GENERAL",
        graceDeadline: Date.now() - 1,
      });
      if (!created.ok) throw new Error("could not create Hal");
      expect(await store.renewGrace(created.session.id, far())).toBe(true);
      expect(await store.takeExpiredSessions(Date.now(), 10)).toEqual([]);
      // Attached: no grace to renew. Reaped: nothing either.
      await store.attachConnection(created.session.id, "conn-hal", 8);
      expect(await store.renewGrace(created.session.id, far())).toBe(false);
      await store.detachConnection(created.session.id, "conn-hal", Date.now() - 1);
      expect(await store.takeExpiredSessions(Date.now(), 10)).toHaveLength(1);
      expect(await store.renewGrace(created.session.id, far())).toBe(false);
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

    it("registers a run once, and tells it when it had been declared dead", async () => {
      const none = { predecessors: [], changes: [] };
      expect(await store.heartbeat("i1#a", 1, 1_000)).toEqual({ added: true, ...none });
      expect(await store.heartbeat("i1#a", 2, 1_000)).toEqual({ added: false, ...none });
      expect(await store.takeOverDeadInstances(100_000, 10_000, 1_000)).toEqual({
        instances: ["i1#a"],
        changes: [],
      });
      expect((await store.heartbeat("i1#a", 100_001, 1_000)).added).toBe(true);
      await store.retireInstance("i1#a", 100_002);
      expect(await store.takeOverDeadInstances(1e13, 1, 1)).toEqual({ instances: [], changes: [] });
    });

    it("a retired run leaves no connection behind: one whose detach never landed gets the grace", async () => {
      const t0 = Date.now();
      await store.heartbeat("i1#a", t0, 1_000);
      const stranded = await session("a", "i1#a/s1");
      await session("b", "i1#a/x", "i2#a/y");
      await store.retireInstance("i1#a", t0 + 1_000);
      expect(await store.takeOverDeadInstances(1e13, 1, 1)).toEqual({ instances: [], changes: [] });
      const expired = await store.takeExpiredSessions(t0 + 1_001, 100);
      expect(expired.map((ended) => ended.session.id)).toEqual([stranded.id]);
      expect(await names()).toEqual(["b"]);
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

    it("answers ping", async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
