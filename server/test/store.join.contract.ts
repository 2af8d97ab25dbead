// The Store contract for the join and leave steps a connection takes in one round trip each:
// `connect` (token, attach, room state) and `leaveSession` (charge, end). Run by store.test.ts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { claimName } from "./support/store.js";

export function storeJoinContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store join and leave contract: ${name}`, () => {
    let store: Store;
    const far = () => Date.now() + 60_000;
    const budget = { points: 3, windowMs: 60_000 };

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const claim = (userName: string) => claimName(store, userName);

    /** Bo, connected in `room`, has said `text` there. */
    async function boSays(text: string, room = "GENERAL") {
      const bo = await claim("Bo");
      await store.connect(bo.token, "i1#a/bo", 8);
      if (room !== "GENERAL") await store.moveToRoom(bo.session.id, room);
      await store.appendRoomMessage({ room, from: { id: bo.session.id, name: "Bo" }, text, at: 1 });
    }

    it("charges every claim to its address, taken names too, and refuses past the budget", async () => {
      const claims = (address: string) => ({ address, points: 3, windowMs: 60_000, now: Date.now() });
      const ann = { name: "Ann", nameKey: "ann", room: "GENERAL", graceDeadline: far() };
      expect(await store.createSession(ann, claims("203.0.113.7"))).toMatchObject({ ok: true });
      expect(await store.createSession(ann, claims("203.0.113.7"))).toEqual({
        ok: false,
        code: "name_taken",
      });
      const bo = { ...ann, name: "Bo", nameKey: "bo" };
      expect(await store.createSession(bo, claims("203.0.113.7"))).toMatchObject({ ok: true });
      const refused = await store.createSession({ ...bo, name: "Cy", nameKey: "cy" }, claims("203.0.113.7"));
      expect(refused).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!refused.ok && refused.code === "rate_limited" && refused.retryAfterMs).toBeGreaterThan(0);
      // The refused claim took no name; another address still gets in.
      const cy = { ...bo, name: "Cy", nameKey: "cy" };
      expect(await store.createSession(cy, claims("203.0.113.8"))).toMatchObject({ ok: true });
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

    it("answers a room move with the new room as it is after the arrival", async () => {
      await boSays("go", "SPORTS");
      const ann = await claim("Ann");
      await store.connect(ann.token, "i1#a/ann", 8);
      const move = await store.moveToRoom(ann.session.id, "SPORTS");
      expect(move?.view.version).toBe(move?.joined?.version);
      expect(move?.view.members.map((member) => member.name).sort()).toEqual(["Ann", "Bo"]);
      expect(move?.view.history.map((message) => message.text)).toEqual(["go"]);
      const stay = await store.moveToRoom(ann.session.id, "SPORTS");
      expect(stay?.joined).toBeUndefined();
      expect(stay?.view).toEqual(move?.view);
    });

    it("ends the session on leave with its connections, and frees its name and token", async () => {
      const ann = await claim("Ann");
      await store.connect(ann.token, "i1#a/one", 8);
      await store.connect(ann.token, "i2#b/two", 8);
      const left = await store.leaveSession(ann.session.id, budget, Date.now());
      if (!left.ok) throw new Error(left.code);
      expect(left.ended?.left).toMatchObject({
        room: "GENERAL",
        member: { id: ann.session.id, name: "Ann" },
      });
      expect(left.ended?.connections.sort()).toEqual(["i1#a/one", "i2#b/two"]);
      expect((await store.roomSnapshot("GENERAL")).members).toEqual([]);
      expect(await store.findSessionIdByToken(ann.token)).toBeNull();
      // The tabs' own detaches, arriving after, change nothing.
      expect(await store.detachConnection(ann.session.id, "i1#a/one", far())).toEqual({});
      expect(await store.takeExpiredSessions(far() + 1, 10)).toEqual([]);
      expect((await claim("ANN")).ok).toBe(true);
      expect(await store.leaveSession(ann.session.id, budget, Date.now())).toEqual({ ok: true, ended: null });
    });

    it("charges every leave to the user's budget and refuses past it, with the wait", async () => {
      const ann = await claim("Ann");
      const bo = await claim("Bo");
      const now = Date.now();
      for (let i = 0; i < budget.points; i++)
        expect(await store.leaveSession(ann.session.id, budget, now)).toMatchObject({ ok: true });
      const refused = await store.leaveSession(ann.session.id, budget, now);
      expect(refused).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!refused.ok && refused.retryAfterMs).toBeGreaterThan(0);
      expect(!refused.ok && refused.retryAfterMs).toBeLessThanOrEqual(budget.windowMs);
      // Bo's budget is his own.
      expect(await store.leaveSession(bo.session.id, budget, now)).toMatchObject({ ok: true });
    });
  });
}
