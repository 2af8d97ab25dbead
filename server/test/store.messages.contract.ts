// The Store contract for what happens to kept messages: reactions (toggle, cap, concurrent toggles),
// edits and deletes (author only, history rewritten, quotes of a deleted message emptied), replies,
// and the private history of a pair that outlives a closed chat until it expires.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store, StoreOptions } from "../src/state/store.js";
import { HISTORY_LIMIT, PRIVATE_HISTORY_LIMIT } from "../src/state/store.js";
import { MAX_REACTIONS } from "@videochat/protocol/schemas";
import { QUOTE_BYTES, quoteLine } from "@videochat/protocol/text";
import { enterRoom } from "./support/store.js";

const react = (emoji: string) => ({ kind: "react" as const, emoji, max: MAX_REACTIONS });

export function storeMessagesContract(name: string, makeStore: (options?: StoreOptions) => Promise<Store>) {
  describe(`Store contract (messages): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function enter(userName: string, room = "GENERAL", on = store) {
      const entered = await enterRoom(on, userName, room);
      return { id: entered.session.id, name: userName };
    }
    async function post(user: { id: string; name: string }, text: string, replyTo?: number) {
      const posted = await store.postRoomMessage({
        room: "GENERAL",
        from: user,
        text,
        at: Date.now(),
        ...(replyTo ? { replyTo } : {}),
      });
      if (!posted.ok) throw new Error(posted.code);
      return posted.message;
    }

    it("toggles reactions, naming each member once, in the order they reacted", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const message = await post(ana, "hello");
      await store.changeRoomMessage(ana.id, message.id, react("👍"));
      const both = await store.changeRoomMessage(ben.id, message.id, react("👍"));
      expect(both).toEqual({
        ok: true,
        message: { ...message, reactions: [{ emoji: "👍", users: [ana, ben] }], rev: 2 },
      });
      await store.changeRoomMessage(ben.id, message.id, react("🎉"));
      const off = await store.changeRoomMessage(ana.id, message.id, react("👍"));
      expect(off.ok && off.message.reactions).toEqual([
        { emoji: "👍", users: [ben] },
        { emoji: "🎉", users: [ben] },
      ]);
      await store.changeRoomMessage(ben.id, message.id, react("👍"));
      const last = await store.changeRoomMessage(ben.id, message.id, react("🎉"));
      // Back to no reactions, but rewritten six times: a resuming tab is sent it again.
      expect(last).toEqual({ ok: true, message: { ...message, rev: 6 } });
      expect((await store.roomHistory("GENERAL")).at(-1)).toEqual({ ...message, rev: 6 });
    });

    it("sets a reaction on or off idempotently when asked to (a re-send cannot undo it)", async () => {
      const ana = await enter("Ana");
      const message = await post(ana, "twice");
      const set = (on: boolean) => ({ ...react("👍"), on });
      await store.changeRoomMessage(ana.id, message.id, set(true));
      const again = await store.changeRoomMessage(ana.id, message.id, set(true));
      expect(again.ok && again.message.reactions).toEqual([{ emoji: "👍", users: [ana] }]);
      await store.changeRoomMessage(ana.id, message.id, set(false));
      const off = await store.changeRoomMessage(ana.id, message.id, set(false));
      expect(off).toEqual({ ok: true, message: { ...message, rev: 4 } });
    });

    it(`quotes at most ${QUOTE_BYTES} bytes of the first line, cut on a character, as the SPA does`, async () => {
      const ana = await enter("Ana");
      // 2-byte characters after an odd start: byte QUOTE_BYTES falls inside one.
      const long = `a${"é".repeat(150)}\nsecond line`;
      const original = await post(ana, long);
      const reply = await post(ana, "re", original.id);
      const cut = `a${"é".repeat((QUOTE_BYTES - 1) >> 1)}`;
      expect(reply.replyTo!.text).toBe(cut);
      expect(quoteLine(long)).toBe(cut);
      const edited = `b${"ü".repeat(150)}`;
      await store.changeRoomMessage(ana.id, original.id, { kind: "edit", text: edited, at: 2 });
      const requoted = (await store.roomHistory("GENERAL")).at(-1)!.replyTo!.text;
      expect(requoted).toBe(quoteLine(edited));
      expect(Buffer.byteLength(requoted)).toBe(QUOTE_BYTES - 1);
    });

    it("keeps a group call's line in the room's history, for later joiners, and lets nobody rewrite it", async () => {
      const ana = await enter("Ana");
      const line = await store.appendRoomMessage({
        room: "GENERAL",
        from: ana,
        text: "Group call started",
        at: Date.now(),
        call: "started",
      });
      expect(line).toMatchObject({ room: "GENERAL", from: ana, call: "started" });
      expect((await store.roomHistory("GENERAL")).at(-1)).toEqual(line);
      for (const change of [{ kind: "edit" as const, text: "x", at: 1 }, { kind: "delete" as const }])
        expect(await store.changeRoomMessage(ana.id, line.id, change)).toEqual({
          ok: false,
          code: "no_message",
        });
      expect((await store.roomHistory("GENERAL")).at(-1)).toEqual(line);
    });

    it(`refuses a ${MAX_REACTIONS + 1}th distinct reaction but still toggles the others`, async () => {
      const ana = await enter("Ana");
      const message = await post(ana, "vote");
      const emoji = [..."😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗🤩"];
      for (const e of emoji.slice(0, MAX_REACTIONS))
        expect((await store.changeRoomMessage(ana.id, message.id, react(e))).ok).toBe(true);
      expect(await store.changeRoomMessage(ana.id, message.id, react(emoji[MAX_REACTIONS]!))).toEqual({
        ok: false,
        code: "too_many_reactions",
      });
      const off = await store.changeRoomMessage(ana.id, message.id, react(emoji[0]!));
      expect(off.ok && off.message.reactions).toHaveLength(MAX_REACTIONS - 1);
    });

    it("refuses a reactor past maxUsers entries on a message (left members' entries stay)", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const cy = await enter("Cy");
      const message = await post(ana, "popular");
      const capped = (emoji: string, actor: { id: string }) =>
        store.changeRoomMessage(actor.id, message.id, { ...react(emoji), maxUsers: 3 });
      await capped("👍", ana);
      await capped("🎉", ana);
      expect((await capped("👍", ben)).ok).toBe(true);
      // Its own code: the cap of people, not the cap of distinct emoji (a new emoji too).
      expect(await capped("🎉", cy)).toEqual({ ok: false, code: "too_many_reactors" });
      expect(await capped("👍", cy)).toEqual({ ok: false, code: "too_many_reactors" });
      expect(await capped("🚀", cy)).toEqual({ ok: false, code: "too_many_reactors" });
      // Taking one back still works, and frees an entry.
      const off = await capped("🎉", ana);
      expect(off.ok && off.message.reactions).toEqual([{ emoji: "👍", users: [ana, ben] }]);
      expect((await capped("👍", cy)).ok).toBe(true);
    });

    it("gives a resuming tab the messages after its last id and every older one changed since", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const first = await post(ana, "untouched");
      const second = await post(ana, "reacted to, then not");
      const third = await post(ana, "typo");
      const fourth = await post(ana, "oops");
      const last = await post(ben, "the last one the tab saw");
      // The tab goes away after `last`; meanwhile every kind of change happens to older messages.
      await store.changeRoomMessage(ben.id, second.id, react("👍"));
      await store.changeRoomMessage(ben.id, second.id, react("👍"));
      await store.changeRoomMessage(ana.id, third.id, { kind: "edit", text: "fixed", at: 9 });
      await store.changeRoomMessage(ana.id, fourth.id, { kind: "delete" });
      const after = await post(ben, "new while away");
      const missed = await store.roomHistory("GENERAL", last.id);
      expect(missed.map((m) => m.id)).toEqual([second.id, third.id, fourth.id, after.id]);
      expect(missed.map((m) => m.id)).not.toContain(first.id);
      expect(missed[0]!.reactions).toBeUndefined();
      expect(missed[1]!.text).toBe("fixed");
      expect(missed[2]).toMatchObject({ deleted: true, text: "" });
    });

    it("counts every one of many concurrent toggles exactly once", async () => {
      const people = await Promise.all(["Ana", "Ben", "Cy", "Di", "Ed", "Flo"].map((n) => enter(n)));
      const message = await post(people[0]!, "together");
      await Promise.all(people.map((p) => store.changeRoomMessage(p.id, message.id, react("🔥"))));
      const [kept] = (await store.roomHistory("GENERAL")).slice(-1);
      expect(kept!.reactions).toHaveLength(1);
      expect(kept!.reactions![0]!.users.map((u) => u.id).sort()).toEqual(people.map((p) => p.id).sort());
    });

    it("lets only the author edit or delete, and rewrites the history later joiners get", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const original = await post(ana, "secret plan\nsecond line");
      const reply = await post(ben, "what plan?", original.id);
      expect(reply.replyTo).toEqual({ id: original.id, from: ana, text: "secret plan" });

      expect(await store.changeRoomMessage(ben.id, original.id, { kind: "delete" })).toEqual({
        ok: false,
        code: "not_author",
      });
      expect(await store.changeRoomMessage(ben.id, original.id, { kind: "edit", text: "x", at: 1 })).toEqual({
        ok: false,
        code: "not_author",
      });
      const edited = await store.changeRoomMessage(ana.id, original.id, {
        kind: "edit",
        text: "new plan",
        at: 7,
      });
      expect(edited).toEqual({ ok: true, message: { ...original, text: "new plan", editedAt: 7, rev: 1 } });
      expect((await store.roomHistory("GENERAL")).at(-1)!.replyTo!.text).toBe("new plan");

      await store.changeRoomMessage(ben.id, original.id, react("👀"));
      const deleted = await store.changeRoomMessage(ana.id, original.id, { kind: "delete" });
      expect(deleted).toEqual({
        ok: true,
        message: {
          id: original.id,
          room: "GENERAL",
          from: ana,
          text: "",
          at: original.at,
          deleted: true,
          rev: 3,
        },
      });
      expect(await store.changeRoomMessage(ben.id, original.id, react("👀"))).toEqual({
        ok: false,
        code: "no_message",
      });

      await enter("Cy");
      const history = await store.roomHistory("GENERAL");
      expect(JSON.stringify(history)).not.toContain("plan\\n");
      expect(JSON.stringify(history)).not.toContain("new plan");
      expect(history.at(-1)!.replyTo).toEqual({ id: original.id, from: ana, text: "", deleted: true });
      const later = await post(ben, "never mind", original.id);
      expect(later.replyTo).toEqual({ id: original.id, from: ana, text: "", deleted: true });
    });

    it("answers a re-sent delete (after a failover) with the deleted message, and refuses other changes of it", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const message = await post(ana, "gone soon");
      const deleted = await store.changeRoomMessage(ana.id, message.id, { kind: "delete" });
      expect(deleted.ok).toBe(true);
      expect(await store.changeRoomMessage(ana.id, message.id, { kind: "delete" })).toEqual(deleted);
      for (const [who, change] of [
        [ben, { kind: "delete" as const }],
        [ana, { kind: "edit" as const, text: "back", at: 1 }],
        [ben, react("👍")],
      ] as const)
        expect(await store.changeRoomMessage(who.id, message.id, change)).toEqual({
          ok: false,
          code: "no_message",
        });
    });

    it("refuses changes from a non-member and to a message the room does not keep", async () => {
      const ana = await enter("Ana");
      const cy = await enter("Cy", "SPORTS");
      const message = await post(ana, "mine");
      expect(await store.changeRoomMessage(cy.id, message.id, react("👍"))).toEqual({
        ok: false,
        code: "no_message",
      });
      expect(await store.changeRoomMessage("nobody", message.id, react("👍"))).toEqual({
        ok: false,
        code: "not_in_room",
      });
      expect(await store.changeRoomMessage(ana.id, message.id + 999, { kind: "delete" })).toEqual({
        ok: false,
        code: "no_message",
      });
    });

    it(`changes and quotes only the last ${HISTORY_LIMIT} room messages, the ones the room shows`, async () => {
      const ana = await enter("Ana");
      const first = await post(ana, "the oldest");
      for (let i = 0; i < HISTORY_LIMIT; i += 1) await post(ana, `later ${i}`);
      expect((await store.roomHistory("GENERAL")).some((m) => m.id === first.id)).toBe(false);
      for (const change of [react("👍"), { kind: "delete" as const }])
        expect(await store.changeRoomMessage(ana.id, first.id, change)).toEqual({
          ok: false,
          code: "no_message",
        });
      expect((await post(ana, "about the oldest", first.id)).replyTo).toBeUndefined();
    });

    it(`changes and quotes only the last ${PRIVATE_HISTORY_LIMIT} private messages of a pair`, async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const chatId = await chat(ana, ben);
      const say = async (text: string, replyTo?: number) => {
        const posted = await store.postPrivateMessage(ana.id, {
          text,
          at: Date.now(),
          ...(replyTo ? { replyTo } : {}),
        });
        if (!posted) throw new Error("no chat");
        return posted.message;
      };
      const first = await say("the oldest");
      for (let i = 0; i < PRIVATE_HISTORY_LIMIT; i += 1) await say(`later ${i}`);
      expect((await store.privateHistory(chatId)).some((m) => m.id === first.id)).toBe(false);
      for (const change of [react("👍"), { kind: "delete" as const }])
        expect(await store.changePrivateMessage(ana.id, first.id, change)).toEqual({
          ok: false,
          code: "no_message",
        });
      expect((await say("about the oldest", first.id)).replyTo).toBeUndefined();
    });

    async function chat(a: { id: string }, b: { id: string }) {
      const opened = await store.openPrivateChat(a.id, b.id);
      if (!opened.ok) throw new Error(opened.code);
      return opened.chat.id;
    }

    it("keeps a pair's private history across close and reopen, with its edits and reactions", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const cy = await enter("Cy");
      const first = await chat(ana, ben);
      const hi = (await store.postPrivateMessage(ana.id, { text: "hi Ben", at: 1 }))!.message;
      const yo = (await store.postPrivateMessage(ben.id, { text: "yo", at: 2, replyTo: hi.id }))!.message;
      expect(yo.replyTo).toEqual({ id: hi.id, from: ana, text: "hi Ben" });
      expect(await store.changePrivateMessage(ben.id, hi.id, { kind: "delete" })).toEqual({
        ok: false,
        code: "not_author",
      });
      const liked = await store.changePrivateMessage(ana.id, yo.id, react("👍"));
      expect(liked.ok && liked.message.reactions).toEqual([{ emoji: "👍", users: [ana] }]);
      expect(liked.ok && liked.chat.id).toBe(first);
      expect(await store.changePrivateMessage(cy.id, yo.id, react("👍"))).toEqual({
        ok: false,
        code: "no_private_chat",
      });
      await store.closePrivateChat(first);

      // Another pair has its own history.
      const other = await chat(ana, cy);
      expect(await store.privateHistory(other)).toEqual([]);
      await store.closePrivateChat(other);

      const again = await chat(ben, ana);
      const history = await store.privateHistory(again);
      expect(history.map((m) => [m.id, m.text, m.chatId])).toEqual([
        [hi.id, "hi Ben", first],
        [yo.id, "yo", first],
      ]);
      const next = (await store.postPrivateMessage(ana.id, { text: "back", at: 3 }))!.message;
      expect(next).toMatchObject({ id: yo.id + 1, chatId: again });
      const deleted = await store.changePrivateMessage(ana.id, hi.id, { kind: "delete" });
      expect(deleted.ok && deleted.message).toMatchObject({ id: hi.id, text: "", deleted: true });
      expect(JSON.stringify(await store.privateHistory(again))).not.toContain("hi Ben");
    });

    it(`keeps the last ${PRIVATE_HISTORY_LIMIT} private messages of a pair`, async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const id = await chat(ana, ben);
      for (let i = 0; i < PRIVATE_HISTORY_LIMIT + 5; i++)
        await store.postPrivateMessage(ana.id, { text: `m${i}`, at: i });
      const history = await store.privateHistory(id);
      expect(history).toHaveLength(PRIVATE_HISTORY_LIMIT);
      expect(history[0]!.text).toBe("m5");
    });

    it("forgets a pair's private history once its time has passed", async () => {
      const short = await makeStore({ privateHistoryMs: 300 });
      try {
        const ana = await enter("Ana", "GENERAL", short);
        const ben = await enter("Ben", "GENERAL", short);
        const opened = await short.openPrivateChat(ana.id, ben.id);
        if (!opened.ok) throw new Error(opened.code);
        await short.postPrivateMessage(ana.id, { text: "soon gone", at: Date.now() });
        expect(await short.privateHistory(opened.chat.id)).toHaveLength(1);
        await short.closePrivateChat(opened.chat.id);
        const again = await short.openPrivateChat(ana.id, ben.id);
        if (!again.ok) throw new Error(again.code);
        // A Store's expiry has no event to wait for: read again until it has passed.
        await expect
          .poll(() => short.privateHistory(again.chat.id), { timeout: 5000, interval: 20 })
          .toEqual([]);
      } finally {
        await short.close();
      }
    });
  });
}
