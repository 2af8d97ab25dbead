// The Store contract for reaching people: "do not disturb" refusals with the "tried to reach you"
// record, busy attempts, and read positions with the newest ids behind unread counts.
// Run against every implementation (see store.test.ts), so both Stores keep the same semantics.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store, StoreOptions } from "../src/state/store.js";
import { REACH_LIMIT } from "../src/state/reach/contract.js";
import { enterRoom } from "./support/store.js";

export function storeReachContract(name: string, makeStore: (options?: StoreOptions) => Promise<Store>) {
  describe(`Store contract (reach): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const enter = async (userName: string, room = "GENERAL", on = store) =>
      (await enterRoom(on, userName, room)).session;
    const post = (room: string, text: string, at = Date.now()) =>
      store.appendRoomMessage({ room, from: { id: "x", name: "X" }, text, at });

    it("refuses to interrupt someone who chose Unavailable and keeps who tried", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      expect(await store.checkReach(ana.id, ben.id, "chat", 1000)).toEqual({ refused: false });
      expect(await store.reachAttempts(ben.id)).toEqual([]);

      await store.setStatus(ben.id, "unavailable");
      expect(await store.checkReach(ana.id, ben.id, "chat", 2000)).toEqual({ refused: true, name: "Ben" });
      expect(await store.checkReach(ana.id, ben.id, "chat", 3000)).toEqual({ refused: true, name: "Ben" });
      // One record per sender, the newest.
      expect(await store.reachAttempts(ben.id)).toEqual([
        { from: { id: ana.id, name: "Ana" }, kind: "chat", at: 3000 },
      ]);
      // Nothing was kept for the sender, and an unknown target is not refused (its own step answers).
      expect(await store.reachAttempts(ana.id)).toEqual([]);
      expect(await store.checkReach(ana.id, "nobody", "chat", 4000)).toEqual({ refused: false });

      await store.setStatus(ben.id, "online");
      expect(await store.checkReach(ana.id, ben.id, "chat", 5000)).toEqual({ refused: false });
      expect(await store.reachAttempts(ben.id)).toHaveLength(1);
    });

    it("keeps no notice when the sender's own step will refuse: already talking, or in no call", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const cy = await enter("Cy");
      await store.setStatus(cy.id, "unavailable");
      // Ana is in no call: a call or a group invitation from her is no_call, not Cy's do-not-disturb.
      expect(await store.checkReach(ana.id, cy.id, "call", 1000)).toEqual({ refused: false });
      expect(await store.checkReach(ana.id, cy.id, "group", 1000)).toEqual({ refused: false });
      // Ana in a private chat with Ben: a chat with Cy is her already_in_chat; a call is Cy's refusal.
      const opened = await store.openPrivateChat(ana.id, ben.id);
      if (!opened.ok) throw new Error(opened.code);
      expect(await store.checkReach(ana.id, cy.id, "chat", 2000)).toEqual({ refused: false });
      expect(await store.reachAttempts(cy.id)).toEqual([]);
      expect(await store.checkReach(ana.id, cy.id, "call", 3000)).toEqual({ refused: true, name: "Cy" });
      await store.closePrivateChat(opened.chat.id);
      // In a group call: a chat is refused by her own step again; an invitation is Cy's refusal.
      const started = await store.startGroupCall(ana.id, "g1", 6, { page: "p", connection: "conn-Ana" });
      if (!started.ok) throw new Error(started.code);
      expect(await store.checkReach(ana.id, cy.id, "chat", 4000)).toEqual({ refused: false });
      expect(await store.checkReach(ana.id, cy.id, "group", 5000)).toEqual({ refused: true, name: "Cy" });
      expect(await store.reachAttempts(cy.id)).toEqual([
        { from: { id: ana.id, name: "Ana" }, kind: "group", at: 5000 },
      ]);
    });

    it("forgets attempts and read positions their time after the last change", async () => {
      const short = await makeStore({ reachTtlMs: 300 });
      try {
        const ana = await enter("Ana", "GENERAL", short);
        const ben = await enter("Ben", "GENERAL", short);
        const from = { id: ana.id, name: "Ana" };
        const one = await short.appendRoomMessage({ room: "SPORTS", from, text: "one", at: 5000 });
        await short.readState(ana.id, ["SPORTS"], 6000);
        const two = await short.appendRoomMessage({ room: "SPORTS", from, text: "two", at: 7000 });
        expect(await short.markRead(ana.id, "SPORTS", two.id)).toBe(two.id);
        // Changed last, so expired last: once it is gone, so is the position.
        expect(await short.noteReach(ben.id, ana.id, "chat", 1000)).not.toBeNull();
        await expect.poll(() => short.reachAttempts(ana.id), { timeout: 5000, interval: 20 }).toEqual([]);
        // The position went with them: it starts again at the newest id, and can move to it again.
        expect(await short.markRead(ana.id, "SPORTS", one.id)).toBe(one.id);
      } finally {
        await short.close();
      }
    });

    it("neither refuses nor keeps an attempt from another room, or from the target itself", async () => {
      const ana = await enter("Ana");
      const cy = await enter("Cy", "SPORTS");
      await store.setStatus(cy.id, "unavailable");
      // Their own step refuses these (partner_unavailable, no call): nobody outside the room is told
      // Cy's status, and no notice is planted for Cy.
      expect(await store.checkReach(ana.id, cy.id, "chat", 1000)).toEqual({ refused: false });
      expect(await store.checkReach(cy.id, cy.id, "group", 1000)).toEqual({ refused: false });
      expect(await store.noteReach(ana.id, cy.id, "chat", 1000)).toBeNull();
      expect(await store.reachAttempts(cy.id)).toEqual([]);
    });

    it("keeps busy attempts, oldest first, forgets a dismissed one and caps the list", async () => {
      const ana = await enter("Ana");
      const ben = await enter("Ben");
      const cy = await enter("Cy");
      expect(await store.noteReach(ana.id, cy.id, "chat", 10)).toEqual({
        from: { id: ana.id, name: "Ana" },
        kind: "chat",
        at: 10,
      });
      await store.noteReach(ben.id, cy.id, "group", 20);
      expect((await store.reachAttempts(cy.id)).map((a) => a.from.name)).toEqual(["Ana", "Ben"]);
      expect(await store.noteReach("nobody", cy.id, "chat", 30)).toBeNull();

      expect(await store.dismissReach(cy.id, ana.id)).toBe(true);
      expect(await store.dismissReach(cy.id, ana.id)).toBe(false);
      expect((await store.reachAttempts(cy.id)).map((a) => a.from.name)).toEqual(["Ben"]);

      const many = [];
      for (let i = 0; i < REACH_LIMIT + 2; i++) many.push(await enter(`P${i}`));
      for (const [i, person] of many.entries()) await store.noteReach(person.id, ana.id, "chat", 100 + i);
      const kept = await store.reachAttempts(ana.id);
      expect(kept).toHaveLength(REACH_LIMIT);
      expect(kept[0]?.from.name).toBe("P2");
      expect(kept.at(-1)?.from.name).toBe(`P${REACH_LIMIT + 1}`);
    });

    it("starts read positions at each room's newest id and counts what follows", async () => {
      const ana = await enter("Ana");
      expect(await store.latestMessageIds(["GENERAL", "SPORTS"])).toEqual([0, 0]);
      const first = await post("SPORTS", "one", 5000);
      expect(await store.readState(ana.id, ["GENERAL", "SPORTS"], 6000)).toEqual({
        lastRead: { GENERAL: 6000, SPORTS: first.id },
        latest: { GENERAL: 6000, SPORTS: first.id },
      });
      // The empty room was seeded at the position: its first message counts as one.
      const hello = await post("GENERAL", "hello", 7000);
      expect(hello.id).toBe(6001);
      await post("SPORTS", "two");
      const third = await post("SPORTS", "three");
      expect(third.id).toBe(first.id + 2);
      expect(await store.latestMessageIds(["SPORTS", "GENERAL", "MUSIC"])).toEqual([third.id, 6001, 0]);
      const state = await store.readState(ana.id, ["GENERAL", "SPORTS"], 8000);
      expect(state.latest.SPORTS! - state.lastRead.SPORTS!).toBe(2);
      expect(state.latest.GENERAL! - state.lastRead.GENERAL!).toBe(1);
    });

    it("moves a read position forward only, never past the room's newest id", async () => {
      const ana = await enter("Ana");
      const first = await post("SPORTS", "one", 5000);
      await store.readState(ana.id, ["SPORTS"], 6000);
      const second = await post("SPORTS", "two");
      const third = await post("SPORTS", "three");
      expect(await store.markRead(ana.id, "SPORTS", second.id)).toBe(second.id);
      expect(await store.markRead(ana.id, "SPORTS", first.id)).toBeNull();
      expect(await store.markRead(ana.id, "SPORTS", second.id)).toBeNull();
      expect(await store.markRead(ana.id, "SPORTS", third.id + 1000)).toBe(third.id);
      expect((await store.readState(ana.id, ["SPORTS"], 9000)).lastRead).toEqual({ SPORTS: third.id });
      // Per user: another user's position is their own.
      const ben = await enter("Ben");
      await post("SPORTS", "four");
      expect((await store.readState(ben.id, ["SPORTS"], 9000)).lastRead.SPORTS).toBe(third.id + 1);
      expect((await store.readState(ana.id, ["SPORTS"], 9000)).lastRead.SPORTS).toBe(third.id);
    });
  });
}
