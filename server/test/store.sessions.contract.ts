// The Store contract for sessions: name claims and their budget, tokens, the grace period and
// its reaping, room moves, the chosen status, log-out and its budget.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { claimName, enterRoom, boPosts } from "./support/store.js";

export function storeSessionsContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (sessions): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const far = () => Date.now() + 60_000;
    const budget = { points: 3, windowMs: 60_000 };
    const claim = (userName: string) => claimName(store, userName);
    const enter = (userName: string, room = "GENERAL") => enterRoom(store, userName, room);
    /** Bo, connected in `room`, has said `text` there. */
    const boSays = (text: string, room = "GENERAL") => boPosts(store, text, room);

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

    it("counts an address's live sessions: refuses past `max`, marks all its sessions crowded from the claim that makes `crowdedAt`, frees on every end", async () => {
      const from = (address: string) => ({
        address,
        points: 100,
        windowMs: 60_000,
        now: Date.now(),
        sessions: { max: 3, crowdedAt: 2 },
      });
      const claimFrom = (userName: string, address = "203.0.113.5") =>
        store.createSession(
          { name: userName, nameKey: userName.toLowerCase(), room: "GENERAL", graceDeadline: far() },
          from(address),
        );
      const [a, b, c] = [await claimFrom("Ann"), await claimFrom("Bea"), await claimFrom("Cy")];
      if (!a.ok || !b.ok || !c.ok) throw new Error("claims refused");
      expect(a.session.crowded).toBeUndefined();
      expect(b.session.crowded).toBe(true);
      expect(c.session.crowded).toBe(true);
      // Bea's claim made the address crowded: Ann, claimed before, is crowded from then on (and told so);
      // Cy's claim, on an address crowded already, names nobody.
      expect(b.crowdedNow).toEqual([a.session.id]);
      expect(c.crowdedNow).toBeUndefined();
      // The Store keeps the marks: a later read (the handshake's) sees them.
      expect((await store.getSession(b.session.id))?.crowded).toBe(true);
      expect((await store.getSession(a.session.id))?.crowded).toBe(true);
      expect(await claimFrom("Dee")).toEqual({ ok: false, code: "too_many_sessions" });
      // Another address is not counted with it.
      const other = await claimFrom("Eve", "2001:db8:7::/64");
      expect(other.ok && other.session.crowded).toBeUndefined();
      // A leave, an end and an expiry each free a place.
      await store.leaveSession(a.session.id, budget, Date.now());
      expect((await claimFrom("Dee")).ok).toBe(true);
      await store.endSession(b.session.id);
      expect((await claimFrom("Fay")).ok).toBe(true);
      expect(await claimFrom("Gus")).toEqual({ ok: false, code: "too_many_sessions" });
      const expiring = await store.createSession({
        name: "Hal",
        nameKey: "hal",
        room: "GENERAL",
        graceDeadline: 1,
      });
      expect(expiring.ok).toBe(true);
      await store.endSession(c.session.id);
      const short = await store.createSession(
        { name: "Ida", nameKey: "ida", room: "GENERAL", graceDeadline: Date.now() + 50 },
        from("203.0.113.5"),
      );
      expect(short.ok).toBe(true);
      expect(await claimFrom("Gus")).toEqual({ ok: false, code: "too_many_sessions" });
      const reaped = await store.takeExpiredSessions(Date.now() + 1000, 100);
      expect(reaped.map((ended) => ended.session.name)).toContain("Ida");
      expect((await claimFrom("Gus")).ok).toBe(true);
    });

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

    it("resolves tokens to sessions and forgets them after the session ends", async () => {
      const { token, session } = await enter("Carol");
      expect(await store.findSessionIdByToken(token)).toBe(session.id);
      expect(await store.findSessionIdByToken(`${token}x`)).toBeNull();
      await store.endSession(session.id);
      expect(await store.findSessionIdByToken(token)).toBeNull();
      expect(await store.getSession(session.id)).toBeNull();
    });

    it("expires a session only after its last connection has been gone past the grace period", async () => {
      const { session } = await enter("Eve");
      await store.attachConnection(session.id, "conn-b", 8);
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
      const back = await store.attachConnection(session.id, "conn-again", 8);
      expect(back).toMatchObject({ ok: true, resumed: true });
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

    it("closes an ending session's private chat in the same step, by expiry or by leave", async () => {
      for (const end of ["expiry", "leave"] as const) {
        const eve = await enter(`Eve-${end}`);
        const ann = await enter(`Ann-${end}`);
        const opened = await store.openPrivateChat(eve.session.id, ann.session.id);
        if (!opened.ok) throw new Error(opened.code);
        let ended;
        if (end === "expiry") {
          const now = Date.now();
          await store.detachConnection(eve.session.id, `conn-Eve-${end}`, now + 100);
          [ended] = await store.takeExpiredSessions(now + 200, 10);
        } else {
          const left = await store.leaveSession(eve.session.id, budget, Date.now());
          if (!left.ok) throw new Error(left.code);
          ended = left.ended;
        }
        // The chat is gone for both; the only member change is Ann's busy flag (Eve left the room).
        expect(ended?.closedChat?.chat.id).toBe(opened.chat.id);
        expect(ended?.closedChat?.changes.map((change) => change.member.id)).toEqual([ann.session.id]);
        expect(ended?.closedChat?.changes[0]!.member.busy).toBeFalsy();
        expect(await store.getPrivateChat(opened.chat.id)).toBeNull();
        expect((await store.getSession(ann.session.id))?.chatId).toBeUndefined();
        // Ann is free to chat with someone else at once.
        const cy = await enter(`Cy-${end}`);
        expect((await store.openPrivateChat(ann.session.id, cy.session.id)).ok).toBe(true);
      }
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

    it("charges the leaves that find no session to the user's budget and refuses past it, with the wait", async () => {
      const ann = await claim("Ann");
      const bo = await claim("Bo");
      const now = Date.now();
      // The leave that ends the session is not charged: a session ends once.
      const ended = await store.leaveSession(ann.session.id, budget, now);
      expect(ended.ok && ended.ended?.session.id).toBe(ann.session.id);
      for (let i = 0; i < budget.points; i++)
        expect(await store.leaveSession(ann.session.id, budget, now)).toEqual({ ok: true, ended: null });
      const refused = await store.leaveSession(ann.session.id, budget, now);
      expect(refused).toMatchObject({ ok: false, code: "rate_limited" });
      expect(!refused.ok && refused.retryAfterMs).toBeGreaterThan(0);
      expect(!refused.ok && refused.retryAfterMs).toBeLessThanOrEqual(budget.windowMs);
      // Bo's budget is his own; one of no points refuses every leave, his session's too.
      const none = { points: 0, windowMs: 60_000 };
      expect(await store.leaveSession(bo.session.id, none, now)).toMatchObject({
        ok: false,
        code: "rate_limited",
      });
      expect(await store.getSession(bo.session.id)).not.toBeNull();
      expect(await store.leaveSession(bo.session.id, budget, now)).toMatchObject({ ok: true });
    });
  });
}
