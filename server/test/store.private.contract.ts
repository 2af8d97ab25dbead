// The Store contract for private chats and 1:1 calls: pairing (one conversation at a time),
// closing, moves that close a chat in the same step, ringing and its deadline.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { PRIVATE_HISTORY_LIMIT } from "../src/state/types.js";
import { enterRoom, openSession } from "./support/store.js";

export function storePrivateContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (private): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const far = () => Date.now() + 60_000;
    const enter = (userName: string, room = "GENERAL") => enterRoom(store, userName, room);
    const session = (userName: string, ...connections: string[]) =>
      openSession(store, userName, ...connections);

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

    it("posts a private message into the sender's chat in one step, keeping the pair's last 200", async () => {
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
      for (let i = 0; i < 2 * PRIVATE_HISTORY_LIMIT + 10; i++)
        await store.postPrivateMessage(alice.session.id, { text: `m${i}`, at: 6 + i });
      const history = await store.privateHistory(opened.chat.id);
      expect(history).toHaveLength(PRIVATE_HISTORY_LIMIT);
      expect(history.at(-1)).toMatchObject({
        id: 2 * PRIVATE_HISTORY_LIMIT + 11,
        text: `m${2 * PRIVATE_HISTORY_LIMIT + 9}`,
      });
      await store.closePrivateChat(opened.chat.id);
      expect(await store.postPrivateMessage(alice.session.id, { text: "late", at: 9 })).toBeNull();
    });

    it("closes a chat for both, clears busy and keeps its messages for the pair's next chat", async () => {
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
      const again = await store.openPrivateChat(bob.session.id, alice.session.id);
      if (!again.ok) throw new Error(again.code);
      expect((await store.privateHistory(again.chat.id)).map((m) => m.text)).toEqual(["hi", "there"]);
    });

    it("closes the chat of a session that ends in the same step, so the partner can be told", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      const ended = await store.endSession(alice.session.id);
      expect(ended!.session.chatId).toBe(opened.chat.id);
      expect(ended!.closedChat?.changes.map((c) => [c.member.name, c.member.busy])).toEqual([["Bob", false]]);
      // Nothing is left to close in a second step (one that an instance dying in between would lose).
      expect(await store.closePrivateChat(opened.chat.id)).toBeNull();
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

    it("keeps raised hands with the active 1:1 call, the first time kept, gone with the call", async () => {
      const alice = await enter("Alice");
      const bob = await enter("Bob");
      const cy = await enter("Cy");
      const opened = await store.openPrivateChat(alice.session.id, bob.session.id);
      if (!opened.ok) throw new Error(opened.code);
      const chatId = opened.chat.id;
      const started = await store.startCall(chatId, alice.session.id, far());
      if (!started.ok) throw new Error(started.code);
      const callId = started.call.id;
      // Not while it rings, not for another call, not for someone outside the chat.
      expect(await store.setCallHand(alice.session.id, callId, true, 1_000)).toBeNull();
      await store.answerCall(chatId, bob.session.id, callId, true);
      expect(await store.setCallHand(alice.session.id, "other-call", true, 1_000)).toBeNull();
      expect(await store.setCallHand(cy.session.id, callId, true, 1_000)).toBeNull();
      const raised = await store.setCallHand(bob.session.id, callId, true, 1_000);
      expect(raised).toEqual({
        chat: expect.objectContaining({
          id: chatId,
          call: expect.objectContaining({ id: callId }),
        }) as unknown,
        hands: { [bob.session.id]: 1_000 },
      });
      // Raised again: still the first time. Both hands show to whoever reads the chat (a reload).
      await store.setCallHand(bob.session.id, callId, true, 5_000);
      await store.setCallHand(alice.session.id, callId, true, 2_000);
      expect((await store.getPrivateChat(chatId))!.call!.hands).toEqual({
        [bob.session.id]: 1_000,
        [alice.session.id]: 2_000,
      });
      expect(await store.setCallHand(alice.session.id, callId, false, 3_000)).toMatchObject({
        hands: { [bob.session.id]: 1_000 },
      });
      expect((await store.setCallHand(bob.session.id, callId, false, 3_000))?.hands).toEqual({});
      expect((await store.getPrivateChat(chatId))!.call!.hands).toBeUndefined();
      // A hand goes with its call: the next call in the chat starts with none.
      await store.setCallHand(bob.session.id, callId, true, 4_000);
      await store.endCall(chatId, callId);
      const next = await store.startCall(chatId, bob.session.id, far());
      if (!next.ok) throw new Error(next.code);
      await store.answerCall(chatId, alice.session.id, next.call.id, true);
      expect((await store.getPrivateChat(chatId))!.call).toEqual({
        id: next.call.id,
        callerId: bob.session.id,
        state: "active",
      });
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
