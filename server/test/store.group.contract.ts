// The Store contract for group calls: one per room, capped, atomic with moves, log-outs and private
// chats (one conversation at a time), invitations fired once. Run against every implementation.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import { enterRoom } from "./support/store.js";

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

    const member = async (userName: string, room = "GENERAL") =>
      (await enterRoom(store, userName, room, `c-${userName}`)).session;
    /** The tab of `user` that holds their place in a call: page "tab-<name>/load-1" on connection "c-<name>". */
    const at = (user: { name: string }, page = `tab-${user.name}/load-1`) => ({
      page,
      connection: `c-${user.name}`,
    });
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

    it("keeps a participant's place for the page holding it and for a reload of its tab, never for another tab", async () => {
      const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => member(n)));
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      // The same page reconnects (another instance, a new socket): it holds the place from there.
      await store.attachConnection(ann!.id, "c-Ann-2", 8);
      await store.detachConnection(ann!.id, "c-Ann", far());
      expect(
        await store.keepGroupCall(ann!.id, { page: "tab-Ann/load-1", connection: "c-Ann-2" }),
      ).toBeNull();
      // A second tab while the holder lives: the call stays with the holder.
      await store.attachConnection(ann!.id, "c-Ann-tab", 8);
      expect(
        await store.keepGroupCall(ann!.id, { page: "tab-Ann2/load-1", connection: "c-Ann-tab" }),
      ).toBeNull();
      expect(await store.groupCallPeers(ann!.id, "g1", bo!.id)).toBe(true);
      // The holding page is reloaded: the new page of the same tab takes the place, the others are told.
      await store.detachConnection(ann!.id, "c-Ann-2", far());
      await store.attachConnection(ann!.id, "c-Ann-3", 8);
      const back = await store.keepGroupCall(ann!.id, { page: "tab-Ann/load-2", connection: "c-Ann-3" });
      expect(back).toEqual({
        kind: "group",
        callId: "g1",
        user: { id: ann!.id, name: "Ann" },
        others: [bo!.id],
        rejoined: true,
      });
      expect(await store.groupCallPeers(ann!.id, "g1", bo!.id)).toBe(true);
      expect(names(await store.groupCallOf("GENERAL"))).toEqual(["Ann", "Bo"]);
      // The same page again: nothing to announce.
      expect(
        await store.keepGroupCall(ann!.id, { page: "tab-Ann/load-2", connection: "c-Ann-3" }),
      ).toBeNull();
    });

    it("keeps an away place for its grace: a reload takes it back, past the deadline it ends once with the reason", async () => {
      const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => member(n)));
      const t0 = Date.now();
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!, "tab-A/load-1"));
      await store.joinGroupCall(bo!.id, "g1", at(bo!, "tab-B/load-1"));
      await store.joinGroupCall(cy!.id, "g1", at(cy!, "tab-C/load-1"));
      // Only the holding connection makes the place away.
      expect(await store.awayFromGroupCall(ann!.id, "c-other", t0 + 3_000, "left")).toBeNull();
      expect(await store.awayFromGroupCall(ann!.id, "c-Ann", t0 + 3_000, "left")).toEqual({
        kind: "group",
        callId: "g1",
        user: { id: ann!.id, name: "Ann" },
        others: [bo!.id, cy!.id],
        rejoined: false,
      });
      expect(await store.awayFromGroupCall(bo!.id, "c-Bo", t0 + 30_000, "lost")).toMatchObject({
        callId: "g1",
      });
      expect(await store.awayFromGroupCall(cy!.id, "c-Cy", t0 + 3_000, "left")).toMatchObject({
        callId: "g1",
      });
      // Ann reloads within the grace: her new page holds the place again.
      await store.detachConnection(ann!.id, "c-Ann", far());
      await store.attachConnection(ann!.id, "c-Ann-2", 8);
      expect(
        await store.keepGroupCall(ann!.id, { page: "tab-A/load-2", connection: "c-Ann-2" }),
      ).toMatchObject({ rejoined: true, others: [bo!.id, cy!.id] });
      // Bo's page comes back on a new connection (a network blip): back, not rejoined.
      expect(await store.keepGroupCall(bo!.id, { page: "tab-B/load-1", connection: "c-Bo-2" })).toMatchObject(
        { rejoined: false },
      );
      expect(await store.awayFromGroupCall(bo!.id, "c-Bo-2", t0 + 30_000, "lost")).not.toBeNull();
      expect(await store.takeDepartedParticipants(t0 + 2_999, 10)).toEqual([]);
      const takers = await Promise.all([1, 2, 3].map(() => store.takeDepartedParticipants(t0 + 3_000, 10)));
      const cyOut = takers.flat();
      expect(cyOut.map((d) => [d.kind, d.user.name, d.reason])).toEqual([["group", "Cy", "left"]]);
      expect(cyOut[0]?.kind === "group" && names(cyOut[0].left.call)).toEqual(["Ann", "Bo"]);
      const boOut = await store.takeDepartedParticipants(t0 + 30_000, 10);
      expect(boOut.map((d) => [d.user.name, d.reason])).toEqual([["Bo", "lost"]]);
      expect(names(await store.groupCallOf("GENERAL"))).toEqual(["Ann"]);
      expect(await store.takeDepartedParticipants(t0 + 60_000, 10)).toEqual([]);
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
      const back = await store.keepGroupCall(ann!.id, { page: "tab-A/load-2", connection: "c-Ann-A2" });
      expect(back).toMatchObject({ rejoined: true });
      expect(names(await store.groupCallOf("GENERAL"))).toEqual(["Ann", "Bo"]);
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
        rejoined: true,
      });
      expect(await store.callPartner(ann!.id, callId)).toBe(cy!.id);
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

    it("keeps raised hands with the call for participants only, the first time kept, gone when they leave", async () => {
      const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => member(n)));
      expect(await store.setGroupCallHand(ann!.id, "g1", true, 1_000)).toBeNull(); // no such call
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!));
      await store.joinGroupCall(bo!.id, "g1", at(bo!));
      expect(await store.setGroupCallHand(cy!.id, "g1", true, 1_000)).toBeNull(); // not a participant
      expect(await store.groupCallOthers(cy!.id, "g1")).toBeNull();
      expect(await store.groupCallOthers(ann!.id, "g2")).toBeNull();
      expect(await store.groupCallOthers(ann!.id, "g1")).toEqual([bo!.id]);
      const raised = await store.setGroupCallHand(bo!.id, "g1", true, 1_000);
      expect(raised).toMatchObject({ id: "g1", version: 3, hands: { [bo!.id]: 1_000 } });
      // Raised again: still the first time. Another hand joins it; both show to whoever reads the call.
      await store.setGroupCallHand(bo!.id, "g1", true, 5_000);
      await store.setGroupCallHand(ann!.id, "g1", true, 2_000);
      expect((await store.groupCallOf("GENERAL"))?.hands).toEqual({ [bo!.id]: 1_000, [ann!.id]: 2_000 });
      const joined = await store.joinGroupCall(cy!.id, "g1", at(cy!));
      expect(joined.ok && joined.call.hands).toEqual({ [bo!.id]: 1_000, [ann!.id]: 2_000 });
      const lowered = await store.setGroupCallHand(ann!.id, "g1", false, 3_000);
      expect(lowered?.hands).toEqual({ [bo!.id]: 1_000 });
      expect(lowered!.version).toBeGreaterThan(raised!.version);
      // Leaving takes the hand down; coming back starts with it down.
      const left = await store.leaveGroupCall(bo!.id);
      expect(left?.call?.hands).toEqual({});
      const back = await store.joinGroupCall(bo!.id, "g1", at(bo!));
      expect(back.ok && back.call.hands).toEqual({});
      expect(await store.setGroupCallHand(bo!.id, "g1", false, 4_000)).toMatchObject({ hands: {} });
      for (const who of [ann!, bo!, cy!]) await store.leaveGroupCall(who.id);
      await store.startGroupCall(ann!.id, "g2", 6, at(ann!));
      expect((await store.groupCallOf("GENERAL"))?.hands ?? {}).toEqual({});
    });

    it("holds each side of a 1:1 call by page the same way: a reload of the holding page keeps the call", async () => {
      const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => member(n)));
      const opened = await store.openPrivateChat(ann!.id, bo!.id);
      const chatId = opened.ok ? opened.chat.id : "";
      const started = await store.startCall(chatId, ann!.id, far());
      const callId = started.ok ? started.call.id : "";
      await store.holdCall(ann!.id, callId, at(ann!));
      // Bo's side is not held until he accepts: a page of his changes nothing while it rings.
      expect(await store.keepCall(bo!.id, { page: "tab-Bo/load-2", connection: "c-Bo-2" })).toBeNull();
      await store.answerCall(chatId, bo!.id, callId, true);
      await store.holdCall(bo!.id, callId, at(bo!));
      // Ann's page reconnects elsewhere, and a second tab of hers comes: the call goes on.
      await store.attachConnection(ann!.id, "c-Ann-2", 8);
      await store.detachConnection(ann!.id, "c-Ann", far());
      expect(await store.keepCall(ann!.id, { page: "tab-Ann/load-1", connection: "c-Ann-2" })).toBeNull();
      await store.attachConnection(ann!.id, "c-Ann-tab", 8);
      expect(await store.keepCall(ann!.id, { page: "tab-Ann2/load-1", connection: "c-Ann-tab" })).toBeNull();
      expect(await store.callPartner(ann!.id, callId)).toBe(bo!.id);
      // Bo reloads: his new page holds his side again, and Ann is told.
      const t0 = Date.now();
      expect(await store.awayFromCall(bo!.id, "c-Bo", t0 + 3_000, "left")).toEqual({
        kind: "private",
        callId,
        user: { id: bo!.id, name: "Bo" },
        others: [ann!.id],
        rejoined: false,
      });
      await store.detachConnection(bo!.id, "c-Bo", far());
      await store.attachConnection(bo!.id, "c-Bo-3", 8);
      const back = await store.keepCall(bo!.id, { page: "tab-Bo/load-3", connection: "c-Bo-3" });
      expect(back).toMatchObject({ kind: "private", callId, others: [ann!.id], rejoined: true });
      expect(await store.callPartner(ann!.id, callId)).toBe(bo!.id);
      expect(await store.keepCall(bo!.id, { page: "tab-Bo/load-3", connection: "c-Bo-3" })).toBeNull();
      expect(await store.takeDepartedCalls(t0 + 10_000, 10)).toEqual([]);
      // Then his page closes for good: past the grace the call ends once, with the reason; the chat stays.
      expect(await store.awayFromCall(bo!.id, "c-Bo-3", t0 + 3_000, "left")).not.toBeNull();
      expect(await store.takeDepartedCalls(t0 + 2_999, 10)).toEqual([]);
      const takers = await Promise.all([1, 2, 3].map(() => store.takeDepartedCalls(t0 + 3_000, 10)));
      expect(takers.flat()).toEqual([
        {
          kind: "private",
          user: { id: bo!.id, name: "Bo" },
          reason: "left",
          callId,
          chat: expect.objectContaining({ id: chatId }) as unknown,
        },
      ]);
      const [taken] = takers.flat();
      expect(taken?.kind === "private" && taken.chat.call).toBeUndefined();
      expect((await store.getPrivateChat(chatId))?.call).toBeUndefined();
      expect(await store.callPartner(ann!.id, callId)).toBeNull();
      // A new call in the chat is held afresh.
      expect(await store.startCall(chatId, bo!.id, far())).toMatchObject({ ok: true });
    });

    it("keeps an away place longer for a new page of its tab that is loading (a slow reload), ending as lost", async () => {
      const [ann, bo, cy, di] = await Promise.all(["Ann", "Bo", "Cy", "Di"].map((n) => member(n)));
      const t0 = Date.now();
      await store.startGroupCall(ann!.id, "g1", 6, at(ann!, "tab-A/load-1"));
      await store.joinGroupCall(bo!.id, "g1", at(bo!, "tab-B/load-1"));
      // Nothing to keep while the place is held, nor for a user in no call.
      expect(await store.reloadingGroupCall(ann!.id, "tab-A", t0 + 30_000)).toBe(false);
      expect(await store.reloadingGroupCall(cy!.id, "tab-Cy", t0 + 30_000)).toBe(false);
      await store.awayFromGroupCall(ann!.id, "c-Ann", t0 + 3_000, "left");
      await store.awayFromGroupCall(bo!.id, "c-Bo", t0 + 3_000, "left");
      // Only a page of the holding tab keeps it; never shorter than it was.
      expect(await store.reloadingGroupCall(ann!.id, "tab-B", t0 + 30_000)).toBe(false);
      expect(await store.reloadingGroupCall(ann!.id, "tab", t0 + 30_000)).toBe(false);
      expect(await store.reloadingGroupCall(ann!.id, "tab-A", t0 + 30_000)).toBe(true);
      expect(await store.reloadingGroupCall(ann!.id, "tab-A", t0 + 1_000)).toBe(true);
      const closed = await store.takeDepartedParticipants(t0 + 3_000, 10);
      expect(closed.map((d) => [d.user.name, d.reason])).toEqual([["Bo", "left"]]);
      expect(names(await store.groupCallOf("GENERAL"))).toEqual(["Ann"]);
      expect(await store.takeDepartedParticipants(t0 + 29_999, 10)).toEqual([]);
      const lost = await store.takeDepartedParticipants(t0 + 30_000, 10);
      expect(lost.map((d) => [d.user.name, d.reason])).toEqual([["Ann", "lost"]]);

      // A 1:1 call the same way; the reloaded page that connects takes the side back.
      const opened = await store.openPrivateChat(cy!.id, di!.id);
      const chatId = opened.ok ? opened.chat.id : "";
      const started = await store.startCall(chatId, cy!.id, far());
      const callId = started.ok ? started.call.id : "";
      await store.holdCall(cy!.id, callId, at(cy!, "tab-C/load-1"));
      await store.answerCall(chatId, di!.id, callId, true);
      await store.holdCall(di!.id, callId, at(di!, "tab-D/load-1"));
      expect(await store.reloadingCall(cy!.id, "tab-C", t0 + 30_000)).toBe(false);
      await store.awayFromCall(cy!.id, "c-Cy", t0 + 3_000, "left");
      expect(await store.reloadingCall(cy!.id, "tab-D", t0 + 30_000)).toBe(false);
      expect(await store.reloadingCall(di!.id, "tab-D", t0 + 30_000)).toBe(false);
      expect(await store.reloadingCall(cy!.id, "tab-C", t0 + 30_000)).toBe(true);
      expect(await store.takeDepartedCalls(t0 + 29_999, 10)).toEqual([]);
      expect(await store.callPartner(di!.id, callId)).toBe(cy!.id);
      await store.attachConnection(cy!.id, "c-Cy-2", 8);
      expect(await store.keepCall(cy!.id, { page: "tab-C/load-2", connection: "c-Cy-2" })).toMatchObject({
        rejoined: true,
        others: [di!.id],
      });
      expect(await store.takeDepartedCalls(t0 + 60_000, 10)).toEqual([]);
      // Away again and never back: past the kept deadline the call ends once, as lost.
      await store.awayFromCall(cy!.id, "c-Cy-2", t0 + 3_000, "left");
      expect(await store.reloadingCall(cy!.id, "tab-C", t0 + 30_000)).toBe(true);
      const ended = await store.takeDepartedCalls(t0 + 30_000, 10);
      expect(ended.map((d) => [d.kind, d.user.name, d.reason])).toEqual([["private", "Cy", "lost"]]);
      expect(await store.callPartner(di!.id, callId)).toBeNull();
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
      expect(await store.keepGroupCall(bo!.id, { page: "tab-Bo/load-1", connection: "c-Bo-2" })).toBeNull();
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
