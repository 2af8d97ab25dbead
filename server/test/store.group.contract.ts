// The Store contract for group calls: one per room, capped, atomic with moves, log-outs and private
// chats (one conversation at a time), invitations fired once. Run against every implementation.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";

export function storeGroupContract(name: string, makeStore: () => Promise<Store>) {
  describe(`Store contract (group calls): ${name}`, () => {
    let store: Store;
    const far = () => Date.now() + 60_000;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function member(userName: string, room = "GENERAL") {
      const created = await store.createSession({
        name: userName,
        nameKey: userName.toLowerCase(),
        room,
        graceDeadline: far(),
      });
      if (!created.ok) throw new Error(userName);
      await store.attachConnection(created.session.id, `c-${userName}`, 8);
      return created.session;
    }
    /** The tab of `user` that holds their place in a call: page "p-<name>" on connection "c-<name>". */
    const at = (user: { name: string }, page = `p-${user.name}`) => ({ page, connection: `c-${user.name}` });
    const names = (call: { participants: { name: string }[] } | null | undefined) =>
      call?.participants.map((p) => p.name);
    const memberOf = async (room: string, userName: string) =>
      (await store.roomSnapshot(room)).members.find((m) => m.name === userName);

    it("starts one call per room, joins in order, caps it, and shows participants as busy and in the call", async () => {
      const [ann, bo, cy, dee] = await Promise.all(["Ann", "Bo", "Cy", "Dee"].map((n) => member(n)));
      const started = await store.startGroupCall(ann!.id, "g1", 3, at(ann!));
      expect(started).toMatchObject({ ok: true, call: { id: "g1", room: "GENERAL", version: 1, max: 3 } });
      expect(
        started.ok && started.changes.map((c) => [c.member.name, c.member.busy, c.member.inCall]),
      ).toEqual([["Ann", true, true]]);
      expect(await store.startGroupCall(bo!.id, "g2", 3, at(bo!))).toEqual({
        ok: false,
        code: "call_exists",
      });
      const joined = await store.joinGroupCall(bo!.id, "g1", at(bo!));
      expect(joined.ok && names(joined.call)).toEqual(["Ann", "Bo"]);
      expect(joined.ok && joined.call.version).toBe(2);
      expect(await store.joinGroupCall(bo!.id, "g1", at(bo!))).toMatchObject({ ok: true, changes: [] }); // again: no-op
      await store.joinGroupCall(cy!.id, "g1", at(cy!));
      expect(await store.joinGroupCall(dee!.id, "g1", at(dee!))).toEqual({ ok: false, code: "call_full" });
      expect(await store.joinGroupCall(dee!.id, "nope", at(dee!))).toEqual({ ok: false, code: "no_call" });
      expect(names(await store.groupCallOf("GENERAL"))).toEqual(["Ann", "Bo", "Cy"]);
      expect(await memberOf("GENERAL", "Bo")).toMatchObject({ busy: true, inCall: true });
      expect(await memberOf("GENERAL", "Dee")).toEqual(expect.not.objectContaining({ inCall: true }));
    });

    it("keeps one conversation at a time: private chats and group calls exclude each other", async () => {
      const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => member(n)));
      const chat = await store.openPrivateChat(bo!.id, cy!.id);
      expect(chat.ok).toBe(true);
      expect(await store.startGroupCall(bo!.id, "g1", 6, at(bo!))).toEqual({
        ok: false,
        code: "already_in_chat",
      });
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      expect(await store.joinGroupCall(cy!.id, "g1", at(cy!))).toEqual({
        ok: false,
        code: "already_in_chat",
      });
      expect(await store.inviteToGroupCall(ann!.id, bo!.id, far())).toEqual({
        ok: false,
        code: "partner_busy",
        partnerName: "Bo",
      });
      const dee = await member("Dee");
      expect(await store.openPrivateChat(dee.id, ann!.id)).toEqual({
        ok: false,
        code: "partner_busy",
        partnerName: "Ann",
      });
      expect(await store.openPrivateChat(ann!.id, dee.id)).toEqual({ ok: false, code: "already_in_chat" });
    });

    it("ends the call with its last participant, and takes movers and leavers out in the same step", async () => {
      const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => member(n)));
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      await store.joinGroupCall(cy!.id, "g1", at(cy!));
      const moved = await store.moveToRoom(bo!.id, "SPORTS");
      expect(moved?.leftCall).toMatchObject({ callId: "g1", room: "GENERAL", call: { version: 4 } });
      expect(names(moved?.leftCall?.call)).toEqual(["Ann", "Cy"]);
      expect((await store.getSession(bo!.id))?.groupCallId).toBeUndefined();
      expect(await memberOf("SPORTS", "Bo")).toMatchObject({ busy: false });

      const ended = await store.endSession(cy!.id);
      expect(names(ended?.leftCall?.call)).toEqual(["Ann"]);
      expect(await store.groupCallPeers(ann!.id, "g1", cy!.id)).toBe(false);

      const last = await store.leaveGroupCall(ann!.id);
      expect(last).toMatchObject({ callId: "g1", room: "GENERAL" });
      expect(last?.call).toBeUndefined();
      expect(last?.changes.map((c) => [c.member.name, c.member.busy])).toEqual([["Ann", false]]);
      expect(await store.groupCallOf("GENERAL")).toBeNull();
      expect(await store.leaveGroupCall(ann!.id)).toBeNull();
      // The room can hold a new call now.
      expect(await store.startGroupCall(ann!.id, "g2", 6, at(ann!))).toMatchObject({ ok: true });
    });

    it("relays only between two participants of the same call", async () => {
      const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => member(n)));
      const eve = await member("Eve", "SPORTS");
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      await store.startGroupCall(eve.id, "g9", 6, at(eve));
      expect(await store.groupCallPeers(ann!.id, "g1", bo!.id)).toBe(true);
      expect(await store.groupCallPeers(bo!.id, "g1", ann!.id)).toBe(true);
      expect(await store.groupCallPeers(ann!.id, "g1", cy!.id)).toBe(false); // not a participant
      expect(await store.groupCallPeers(cy!.id, "g1", ann!.id)).toBe(false); // from outside the call
      expect(await store.groupCallPeers(ann!.id, "g9", eve.id)).toBe(false); // another call
      expect(await store.groupCallPeers(ann!.id, "g1", ann!.id)).toBe(false);
    });

    it("invites a member of the room until they join, decline or the deadline passes, each once", async () => {
      const [ann, bo, cy, dee] = await Promise.all(["Ann", "Bo", "Cy", "Dee"].map((n) => member(n)));
      const elsewhere = await member("Eve", "SPORTS");
      const t0 = Date.now();
      expect(await store.inviteToGroupCall(ann!.id, bo!.id, t0 + 1_000)).toEqual({
        ok: false,
        code: "no_call",
      });
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      expect(await store.inviteToGroupCall(ann!.id, elsewhere.id, t0)).toEqual({
        ok: false,
        code: "partner_unavailable",
      });
      expect(await store.inviteToGroupCall(ann!.id, bo!.id, t0 + 1_000)).toMatchObject({
        ok: true,
        call: { id: "g1" },
        inviter: { id: ann!.id, name: "Ann" },
      });
      await store.inviteToGroupCall(ann!.id, cy!.id, t0 + 1_000);
      await store.inviteToGroupCall(ann!.id, dee!.id, t0 + 1_000);

      expect(await store.declineGroupInvite(bo!.id, "g1")).toEqual({
        callId: "g1",
        inviterId: ann!.id,
        invitee: { id: bo!.id, name: "Bo" },
      });
      expect(await store.declineGroupInvite(bo!.id, "g1")).toBeNull();
      await store.joinGroupCall(cy!.id, "g1", at(cy!)); // answering by joining ends the invitation
      expect(await store.takeMissedInvites(t0 + 999, 10)).toEqual([]);
      const takers = await Promise.all([1, 2, 3].map(() => store.takeMissedInvites(t0 + 1_000, 10)));
      expect(takers.flat()).toEqual([
        { callId: "g1", inviterId: ann!.id, invitee: { id: dee!.id, name: "Dee" } },
      ]);
    });

    it("keeps a participant's place for the page holding it, and takes them out once a new page finds it gone", async () => {
      const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => member(n)));
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      // The same page reconnects (another instance, a new socket): it holds the place from there.
      await store.attachConnection(ann!.id, "c-Ann-2", 8);
      await store.detachConnection(ann!.id, "c-Ann", far());
      expect(await store.keepGroupCall(ann!.id, { page: "p-Ann", connection: "c-Ann-2" })).toBeNull();
      // A second tab while the holder lives: the call stays with the holder.
      await store.attachConnection(ann!.id, "c-Ann-tab", 8);
      expect(await store.keepGroupCall(ann!.id, { page: "p-tab", connection: "c-Ann-tab" })).toBeNull();
      expect(await store.groupCallPeers(ann!.id, "g1", bo!.id)).toBe(true);
      // The holding page is reloaded: its connection went, and the new page cannot bring the media back.
      await store.detachConnection(ann!.id, "c-Ann-2", far());
      await store.attachConnection(ann!.id, "c-Ann-3", 8);
      const left = await store.keepGroupCall(ann!.id, { page: "p-Ann-reloaded", connection: "c-Ann-3" });
      expect(left).toMatchObject({ callId: "g1", room: "GENERAL", call: { version: 3 } });
      expect(names(left?.call)).toEqual(["Bo"]);
      expect(left?.changes.map((c) => [c.member.name, c.member.busy])).toEqual([["Ann", false]]);
      expect(await store.groupCallPeers(ann!.id, "g1", bo!.id)).toBe(false);
      expect(
        await store.keepGroupCall(ann!.id, { page: "p-Ann-reloaded", connection: "c-Ann-3" }),
      ).toBeNull();
    });

    it("takes nobody out when another tab comes while the holding tab is away (an instance restart's reconnects)", async () => {
      const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => member(n)));
      await store.startGroupCall(ann!.id, "g1", 6, { page: "tab-A/load-1", connection: "c-Ann" });
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      // Ann's holding tab A lost its connection (its instance died); her tab B reconnects first.
      await store.detachConnection(ann!.id, "c-Ann", far());
      await store.attachConnection(ann!.id, "c-Ann-B", 8);
      expect(await store.keepGroupCall(ann!.id, { page: "tab-B/load-7", connection: "c-Ann-B" })).toBeNull();
      expect(await store.groupCallPeers(ann!.id, "g1", bo!.id)).toBe(true);
      // Tab A comes back with its page: it holds the place again. A new page in tab A is a reload.
      await store.attachConnection(ann!.id, "c-Ann-A", 8);
      expect(await store.keepGroupCall(ann!.id, { page: "tab-A/load-1", connection: "c-Ann-A" })).toBeNull();
      await store.detachConnection(ann!.id, "c-Ann-A", far());
      await store.attachConnection(ann!.id, "c-Ann-A2", 8);
      const left = await store.keepGroupCall(ann!.id, { page: "tab-A/load-2", connection: "c-Ann-A2" });
      expect(names(left?.call)).toEqual(["Bo"]);
    });

    it("ends no 1:1 call when another tab comes while the holding tab is away", async () => {
      const [ann, cy] = await Promise.all(["Ann", "Cy"].map((n) => member(n)));
      const opened = await store.openPrivateChat(ann!.id, cy!.id);
      const chatId = opened.ok ? opened.chat.id : "";
      const started = await store.startCall(chatId, ann!.id, far());
      const callId = started.ok ? started.call.id : "";
      await store.holdCall(ann!.id, callId, { page: "tab-A/load-1", connection: "c-Ann" });
      await store.answerCall(chatId, cy!.id, callId, true);
      await store.detachConnection(ann!.id, "c-Ann", far());
      await store.attachConnection(ann!.id, "c-Ann-B", 8);
      expect(await store.keepCall(ann!.id, { page: "tab-B/load-7", connection: "c-Ann-B" })).toBeNull();
      expect(await store.callPartner(ann!.id, callId)).toBe(cy!.id);
      await store.attachConnection(ann!.id, "c-Ann-A2", 8);
      expect(await store.keepCall(ann!.id, { page: "tab-A/load-2", connection: "c-Ann-A2" })).toMatchObject({
        callId,
      });
    });

    it("keeps each participant's media state with the call for joiners, forgotten when they leave", async () => {
      const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => member(n)));
      const muted = { audio: false, video: true, screen: false };
      expect(await store.setGroupCallMedia(ann!.id, muted)).toBeNull(); // in no call
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      expect(await store.setGroupCallMedia(ann!.id, muted)).toEqual({ callId: "g1", others: [bo!.id] });
      const sharing = { audio: true, video: false, screen: true };
      await store.setGroupCallMedia(bo!.id, sharing);
      const joined = await store.joinGroupCall(cy!.id, "g1", at(cy!));
      expect(joined.ok && joined.call.media).toEqual({ [ann!.id]: muted, [bo!.id]: sharing });
      expect((await store.groupCallOf("GENERAL"))?.media).toEqual({ [ann!.id]: muted, [bo!.id]: sharing });
      const left = await store.leaveGroupCall(ann!.id);
      expect(left?.call?.media).toEqual({ [bo!.id]: sharing });
      const back = await store.joinGroupCall(ann!.id, "g1", at(ann!));
      expect(back.ok && back.call.media).toEqual({ [bo!.id]: sharing });
      await store.leaveGroupCall(bo!.id);
      await store.leaveGroupCall(cy!.id);
      await store.leaveGroupCall(ann!.id);
      await store.startGroupCall(ann!.id, "g2", 6, at(ann!));
      expect((await store.groupCallOf("GENERAL"))?.media).toEqual({});
    });

    it("holds each side of a 1:1 call by page the same way: a reload of the holding page ends the call", async () => {
      const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => member(n)));
      const opened = await store.openPrivateChat(ann!.id, bo!.id);
      const chatId = opened.ok ? opened.chat.id : "";
      const started = await store.startCall(chatId, ann!.id, far());
      const callId = started.ok ? started.call.id : "";
      await store.holdCall(ann!.id, callId, at(ann!));
      // Bo's side is not held until he accepts: a page of his changes nothing while it rings.
      expect(await store.keepCall(bo!.id, { page: "p-Bo-2", connection: "c-Bo-2" })).toBeNull();
      await store.answerCall(chatId, bo!.id, callId, true);
      await store.holdCall(bo!.id, callId, at(bo!));
      // Ann's page reconnects elsewhere, and a second tab of hers comes: the call goes on.
      await store.attachConnection(ann!.id, "c-Ann-2", 8);
      await store.detachConnection(ann!.id, "c-Ann", far());
      expect(await store.keepCall(ann!.id, { page: "p-Ann", connection: "c-Ann-2" })).toBeNull();
      await store.attachConnection(ann!.id, "c-Ann-tab", 8);
      expect(await store.keepCall(ann!.id, { page: "p-tab", connection: "c-Ann-tab" })).toBeNull();
      expect(await store.callPartner(ann!.id, callId)).toBe(bo!.id);
      // Bo reloads: his new page has no media, so the call ends; the chat stays.
      await store.detachConnection(bo!.id, "c-Bo", far());
      await store.attachConnection(bo!.id, "c-Bo-3", 8);
      const ended = await store.keepCall(bo!.id, { page: "p-Bo-3", connection: "c-Bo-3" });
      expect(ended).toMatchObject({ callId, chat: { id: chatId } });
      expect(ended?.chat.call).toBeUndefined();
      expect(await store.callPartner(ann!.id, callId)).toBeNull();
      expect((await store.getPrivateChat(chatId))?.call).toBeUndefined();
      expect(await store.keepCall(bo!.id, { page: "p-Bo-3", connection: "c-Bo-3" })).toBeNull();
      // A new call in the chat is held afresh.
      expect(await store.startCall(chatId, bo!.id, far())).toMatchObject({ ok: true });
    });

    it("takes out, once, a participant whose holding tab has been gone for the grace while another tab lives", async () => {
      const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => member(n)));
      const rooms = ["GENERAL", "SPORTS"];
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      await store.attachConnection(ann!.id, "c-Ann-tab", 8); // a second tab lives on
      const t0 = Date.now();
      expect(await store.takeLostHolders(t0, 1_000, rooms)).toEqual([]);
      await store.detachConnection(ann!.id, "c-Ann", far()); // the holding tab closes
      // Bo's page drops too, but comes back (another instance) before the grace: he keeps his place.
      await store.detachConnection(bo!.id, "c-Bo", far());
      expect(await store.takeLostHolders(t0, 1_000, rooms)).toEqual([]); // noticed now
      await store.attachConnection(bo!.id, "c-Bo-2", 8);
      expect(await store.keepGroupCall(bo!.id, { page: "p-Bo", connection: "c-Bo-2" })).toBeNull();
      expect(await store.takeLostHolders(t0 + 999, 1_000, rooms)).toEqual([]);
      const takers = await Promise.all([1, 2, 3].map(() => store.takeLostHolders(t0 + 1_000, 1_000, rooms)));
      const left = takers.flat();
      expect(left.map((l) => [l.callId, names(l.call)])).toEqual([["g1", ["Bo"]]]);
      expect(left[0]?.changes.map((c) => [c.member.name, c.member.busy])).toEqual([["Ann", false]]);
      expect(await store.takeLostHolders(t0 + 5_000, 1_000, rooms)).toEqual([]);
      expect(await store.groupCallPeers(bo!.id, "g1", ann!.id)).toBe(false);
    });
  });
}
