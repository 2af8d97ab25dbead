// The Store contract: one suite, run against every implementation (see store.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { HISTORY_LIMIT } from "../src/state/store.js";
import { claimName } from "./support/store.js";

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
      const created = await claimName(store, userName, room);
      const attached = await store.attachConnection(created.session.id, `conn-${userName}`, 8);
      if (!attached.ok) throw new Error(attached.code);
      return { ...created, attached };
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
      expect(snapshot.members).toEqual([{ id: session.id, name: "Dan", status: "online", busy: false }]);
      expect(snapshot.version).toBe(attached.entered!.version);

      const second = await store.attachConnection(session.id, "conn-2", 8);
      expect(second).toMatchObject({ resumed: true });
      expect(second.ok && second.entered).toBeUndefined();
      expect((await store.roomSnapshot("SPORTS")).version).toBe(snapshot.version);
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

    it("counts occupancy per room", async () => {
      await enter("K1", "GENERAL");
      await enter("K2", "GENERAL");
      await enter("K3", "GAMES");
      const counts = await store.occupancy(["GENERAL", "SPORTS", "GAMES"]);
      expect(counts.map((room) => room.count)).toEqual([2, 0, 1]);
      expect(counts.map((room) => room.version)).toEqual([2, 0, 1]); // one membership change each
    });

    it("pairs two members of one room in a private chat and marks both busy", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const before = await store.roomSnapshot("GENERAL");
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      expect(opened.chat).toEqual({
        id: expect.any(String),
        a: { id: alice.session.id, name: "Alice" },
        b: { id: bob.session.id, name: "Bob" },
      });
      expect(opened.changes.map((c) => [c.member.name, c.member.busy])).toEqual([
        ["Alice", true],
        ["Bob", true],
      ]);
      expect(opened.changes.map((c) => c.version)).toEqual([before.version + 1, before.version + 2]);
      expect((await store.roomSnapshot("GENERAL")).members.every((m) => m.busy)).toBe(true);
      expect((await store.getSession(bob.session.id))!.chatId).toBe(opened.chat.id);
      expect(await store.getPrivateChat(opened.chat.id)).toEqual(opened.chat);
    });

    it("refuses a private chat with someone busy, elsewhere, absent or oneself", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const carol = await enter("Carol");
      const dan = await enter("Dan", "SPORTS");
      expect(await store.openPrivateChat(alice.session.id, alice.session.id)).toEqual({
        ok: false,
        code: "partner_unavailable",
      });
      expect(await store.openPrivateChat(alice.session.id, dan.session.id)).toEqual({
        ok: false,
        code: "partner_unavailable",
      });
      expect(await store.openPrivateChat(alice.session.id, "nobody")).toEqual({
        ok: false,
        code: "partner_unavailable",
      });
      expect((await store.openPrivateChat(alice.session.id, bob.session.id)).ok).toBe(true);
      expect(await store.openPrivateChat(carol.session.id, alice.session.id)).toEqual({
        ok: false,
        code: "partner_busy",
        partnerName: "Alice",
      });
      expect(await store.openPrivateChat(alice.session.id, carol.session.id)).toEqual({
        ok: false,
        code: "already_in_chat",
      });
    });

    it("lets exactly one of many concurrent requests pair with one person", async () => {
      const target = await enter("Target");
      const callers = await Promise.all(Array.from({ length: 10 }, (_, i) => enter(`Caller${i}`)));
      const results = await Promise.all(
        callers.map((c) => store.openPrivateChat(c.session.id, target.session.id)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.code === "partner_busy")).toHaveLength(9);
    });

    it("closes a chat for both, clears busy and forgets its messages", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      const from = { id: alice.session.id, name: "Alice" };
      const first = await store.appendPrivateMessage(opened.chat.id, { from, text: "hi", at: 1 });
      const second = await store.appendPrivateMessage(opened.chat.id, { from, text: "there", at: 2 });
      expect(first).toEqual({ id: 1, chatId: opened.chat.id, from, text: "hi", at: 1 });
      expect(second!.id).toBe(2);
      expect((await store.privateHistory(opened.chat.id)).map((m) => m.text)).toEqual(["hi", "there"]);

      const closed = await store.closePrivateChat(opened.chat.id);
      expect(closed!.chat.id).toBe(opened.chat.id);
      expect(closed!.changes.map((c) => [c.member.name, c.member.busy])).toEqual([
        ["Alice", false],
        ["Bob", false],
      ]);
      expect(await store.closePrivateChat(opened.chat.id)).toBeNull();
      expect(await store.privateHistory(opened.chat.id)).toEqual([]);
      expect(await store.appendPrivateMessage(opened.chat.id, { from, text: "late", at: 3 })).toBeNull();
      expect((await store.getSession(alice.session.id))!.chatId).toBeUndefined();
      expect((await store.openPrivateChat(bob.session.id, alice.session.id)).ok).toBe(true);
    });

    it("posts a private message into the sender's chat in one step, keeping the last 100", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      expect(await store.postPrivateMessage(alice.session.id, { text: "alone", at: 1 })).toBeNull();
      expect(await store.postPrivateMessage("nobody", { text: "ghost", at: 1 })).toBeNull();
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      const posted = await store.postPrivateMessage(bob.session.id, { text: "hi", at: 5 });
      expect(posted).toEqual({
        chat: opened.chat,
        message: {
          id: 1,
          chatId: opened.chat.id,
          from: { id: bob.session.id, name: "Bob" },
          text: "hi",
          at: 5,
        },
      });
      for (let i = 0; i < 2 * HISTORY_LIMIT + 10; i++)
        await store.postPrivateMessage(alice.session.id, { text: `m${i}`, at: 6 + i });
      const history = await store.privateHistory(opened.chat.id);
      expect(history).toHaveLength(HISTORY_LIMIT);
      expect(history.at(-1)).toMatchObject({ id: 2 * HISTORY_LIMIT + 11, text: `m${2 * HISTORY_LIMIT + 9}` });
      await store.closePrivateChat(opened.chat.id);
      expect(await store.postPrivateMessage(alice.session.id, { text: "late", at: 9 })).toBeNull();
    });

    it("keeps the chat id on a session that ends, so the partner can be told", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      const ended = await store.endSession(alice.session.id);
      expect(ended!.session.chatId).toBe(opened.chat.id);
      const closed = await store.closePrivateChat(opened.chat.id);
      expect(closed!.changes.map((c) => [c.member.name, c.member.busy])).toEqual([["Bob", false]]);
    });

    it("rings, answers and ends one call per chat", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      const chatId = opened.chat.id;
      expect(await store.startCall("no-such-chat", alice.session.id, far())).toEqual({
        ok: false,
        code: "no_private_chat",
      });
      const started = await store.startCall(chatId, alice.session.id, far());
      if (!started.ok) throw new Error(started.code);
      expect(started.call).toEqual({ id: expect.any(String), callerId: alice.session.id, state: "ringing" });
      expect(await store.startCall(chatId, bob.session.id, far())).toEqual({
        ok: false,
        code: "call_exists",
      });
      expect(await store.callPartner(alice.session.id, started.call.id)).toBe(bob.session.id);
      expect(await store.callPartner(alice.session.id, "other-call")).toBeNull();

      expect(await store.answerCall(chatId, alice.session.id, started.call.id, true)).toBeNull(); // the caller cannot answer
      expect(await store.answerCall(chatId, bob.session.id, started.call.id, true)).toMatchObject({
        state: "active",
      });
      expect((await store.getPrivateChat(chatId))!.call!.state).toBe("active");
      expect(await store.endCall(chatId, started.call.id, true)).toBe(false); // no longer ringing
      expect(await store.endCall(chatId, started.call.id)).toBe(true);
      expect(await store.callPartner(bob.session.id, started.call.id)).toBeNull();

      const again = await store.startCall(chatId, bob.session.id, far());
      if (!again.ok) throw new Error(again.code);
      expect(await store.answerCall(chatId, alice.session.id, again.call.id, false)).toMatchObject({
        state: "ringing",
      });
      expect((await store.getPrivateChat(chatId))!.call).toBeUndefined();
    });

    it("answers ping", async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
