// Group calls over real sockets: start, join, invite, decline, full, busy both ways, leave, the last
// leave ending the call, room switches, session expiry, and signals relayed only inside one call; on
// one memory instance and across two instances on one Redis.
import { describe, expect, it } from "vitest";
import type { GroupCall } from "@videochat/protocol";
import { createSession, record, request, waitFor, type Joined } from "./support/clients.js";
import { eventually } from "./support/cluster.js";
import { useInstancesOnRedis, useServer } from "./support/harness.js";

const names = (call: GroupCall | null | undefined) => call?.participants.map((p) => p.name);
const offer = { type: "offer" as const, sdp: "v=0\r\n" };

describe("group calls on one instance", () => {
  const server = useServer({ GROUP_CALL_MAX: "3", CALL_RING_TIMEOUT_MS: "400", SESSION_GRACE_MS: "300" });

  async function callWith(...people: Joined[]) {
    const [first, ...rest] = people;
    const started = await request(first!.socket, "group:start", {});
    const call = (started as unknown as { call: GroupCall }).call;
    for (const person of rest) await request(person.socket, "group:join", { callId: call.id });
    return call.id;
  }

  it("starts, shows the call and who is in it to the room, joins, and fills up", async () => {
    const [ann, bo, cy, dee] = await Promise.all(["Ann", "Bo", "Cy", "Dee"].map((n) => server.enter(n)));
    const seenByDee = waitFor(dee!.socket, "group:state", (s) => names(s.call)?.length === 3);
    const busy = waitFor(
      dee!.socket,
      "room:member-updated",
      (d) => d.member.name === "Ann" && !!d.member.inCall,
    );
    const started = await request(ann!.socket, "group:start", {});
    expect(started).toMatchObject({
      ok: true,
      call: { room: "GENERAL", max: 3, participants: [{ name: "Ann" }] },
    });
    expect((await busy).member).toMatchObject({ busy: true, inCall: true });
    expect(await request(bo!.socket, "group:start", {})).toMatchObject({ error: { code: "call_exists" } });
    const callId = (started as unknown as { call: GroupCall }).call.id;
    await request(bo!.socket, "group:join", { callId });
    await request(cy!.socket, "group:join", { callId });
    expect(names((await seenByDee).call)).toEqual(["Ann", "Bo", "Cy"]);
    expect(await request(dee!.socket, "group:join", { callId })).toMatchObject({
      ok: false,
      error: { code: "call_full", message: "The call is full: 3 people are in it." },
    });
    // A newcomer to the room sees the call in the room's state.
    const eve = await server.enter("Eve");
    expect(names(eve.state.groupCall)).toEqual(["Ann", "Bo", "Cy"]);
  });

  it("rings an invitee with the inviter's name, who may decline, or miss it at the ring timeout", async () => {
    const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => server.enter(n)));
    const callId = await callWith(ann!);
    const invited = waitFor(bo!.socket, "group:invited");
    expect(await request(ann!.socket, "group:invite", { with: bo!.session.user.id })).toEqual({ ok: true });
    expect(await invited).toMatchObject({ call: { id: callId }, from: { name: "Ann" } });
    const declined = waitFor(ann!.socket, "group:declined");
    expect(await request(bo!.socket, "group:decline", { callId })).toEqual({ ok: true });
    expect(await declined).toMatchObject({ callId, by: { name: "Bo" }, reason: "declined" });
    expect(await request(bo!.socket, "group:decline", { callId })).toMatchObject({
      error: { code: "no_call" },
    });

    const missed = waitFor(ann!.socket, "group:declined", (d) => d.reason === "missed");
    await request(ann!.socket, "group:invite", { with: cy!.session.user.id });
    expect((await missed).by.name).toBe("Cy");
    // Only a participant can ring anyone.
    expect(await request(cy!.socket, "group:invite", { with: bo!.session.user.id })).toMatchObject({
      error: { code: "no_call" },
    });
  });

  it("keeps one conversation at a time, and says who is talking", async () => {
    const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => server.enter(n)));
    await request(bo!.socket, "private:open", { with: cy!.session.user.id });
    const callId = await callWith(ann!);
    expect(await request(ann!.socket, "group:invite", { with: bo!.session.user.id })).toMatchObject({
      ok: false,
      error: { code: "partner_busy", message: "Bo is already talking with someone else" },
    });
    expect(await request(cy!.socket, "group:join", { callId })).toMatchObject({
      error: { code: "already_in_chat" },
    });
    const dee = await server.enter("Dee");
    expect(await request(dee.socket, "private:open", { with: ann!.session.user.id })).toMatchObject({
      error: { code: "partner_busy", message: "Ann is already talking with someone else" },
    });
  });

  it("relays signals only between two participants of the same call, never from outside", async () => {
    const [ann, bo, cy] = await Promise.all(["Ann", "Bo", "Cy"].map((n) => server.enter(n)));
    const callId = await callWith(ann!, bo!);
    const atCy = record(cy!.socket, "group:signal");
    const atBo = waitFor(bo!.socket, "group:signal");
    expect(
      await request(ann!.socket, "group:signal", { callId, peer: bo!.session.user.id, description: offer }),
    ).toEqual({
      ok: true,
    });
    expect(await atBo).toEqual({ callId, peer: ann!.session.user.id, description: offer });
    // Cy is not in the call: cannot send into it, and no one can send to Cy through it.
    expect(
      await request(cy!.socket, "group:signal", { callId, peer: ann!.session.user.id, description: offer }),
    ).toMatchObject({ error: { code: "no_call" } });
    expect(
      await request(ann!.socket, "group:signal", { callId, peer: cy!.session.user.id, candidate: null }),
    ).toMatchObject({ error: { code: "no_call" } });
    expect(
      await request(ann!.socket, "group:signal", { callId, peer: bo!.session.user.id } as never),
    ).toMatchObject({ error: { code: "invalid_payload" } });
    // Media state goes to the other participants only.
    const media = waitFor(bo!.socket, "call:media");
    await request(ann!.socket, "call:media", { audio: false, video: true, screen: false });
    expect(await media).toEqual({
      callId,
      user: { id: ann!.session.user.id, name: "Ann" },
      audio: false,
      video: true,
      screen: false,
    });
    expect(atCy).toEqual([]);
    // ... and stays with the call, so a joiner's stage is right at once.
    expect(await request(cy!.socket, "group:join", { callId })).toMatchObject({
      ok: true,
      call: { media: { [ann!.session.user.id]: { audio: false, video: true, screen: false } } },
    });
  });

  it("updates the stage when people leave, switch rooms or expire, and ends with the last one", async () => {
    const [ann, bo, cy, dee] = await Promise.all(["Ann", "Bo", "Cy", "Dee"].map((n) => server.enter(n)));
    const states = record(dee!.socket, "group:state");
    const callId = await callWith(ann!, bo!, cy!);
    await request(bo!.socket, "room:join", { room: "SPORTS" });
    expect(
      await request(bo!.socket, "group:signal", { callId, peer: ann!.session.user.id, candidate: null }),
    ).toMatchObject({
      error: { code: "no_call" },
    });
    cy!.socket.disconnect(); // gone past the grace period
    await waitFor(dee!.socket, "group:state", (s) => names(s.call)?.join() === "Ann");
    const ended = waitFor(dee!.socket, "group:state", (s) => s.call === null);
    expect(await request(ann!.socket, "group:leave", {})).toEqual({ ok: true });
    await ended;
    expect(states.map((s) => names(s.call) ?? null)).toEqual([
      ["Ann"],
      ["Ann", "Bo"],
      ["Ann", "Bo", "Cy"],
      ["Ann", "Cy"],
      ["Ann"],
      null,
    ]);
    expect(await request(ann!.socket, "group:leave", {})).toMatchObject({ error: { code: "no_call" } });
  });

  it("takes out, after the grace, a participant whose call tab closed while another tab stays", async () => {
    const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => server.enter(n)));
    const other = server.open({ token: ann!.session.token });
    await waitFor(other, "session:ready");
    const callId = await callWith(ann!, bo!);
    const out = waitFor(bo!.socket, "group:state", (s) => names(s.call)?.join() === "Bo");
    const closedAt = Date.now();
    ann!.socket.disconnect();
    await out;
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(250); // the grace (300 ms), less timer slack
    // Ann is still here in her other tab: she is told Bo is busy, and may join again.
    expect(await request(other, "private:open", { with: bo!.session.user.id })).toMatchObject({
      error: { code: "partner_busy" },
    });
    expect(await request(other, "group:join", { callId })).toMatchObject({ ok: true });
  });
});

describe("a participant's tab goes away", () => {
  const server = useServer({
    SESSION_GRACE_MS: "20000",
    CALL_GRACE_MS: "20000",
    CLOSED_TAB_GRACE_MS: "3000",
  });

  /** A page load `page` of tab `tabId` (the tab survives a reload, the page does not), once the server has it. */
  async function tab(token: string, page: string, tabId = "tab-1") {
    const socket = server.open({ token, page }, { tab: tabId });
    await waitFor(socket, "session:ready");
    return socket;
  }
  /** Waits until the server has handled the tab's going (its disconnect handler has run). */
  const gone = (id: string | undefined) =>
    eventually(() => !server.instance.io.of("/").sockets.has(id ?? ""), 10_000, "the tab is gone");

  it("keeps the place through a reconnect and a reload (the others see it away, then back), not for a second tab", async () => {
    const [bo, dee] = await Promise.all(["Bo", "Dee"].map((n) => server.enter(n)));
    const ann = await createSession(server.url, "Ann");
    const first = await tab(ann.token, "ann-page-1");
    const started = (await request(first, "group:start", {})) as unknown as { call: GroupCall };
    const callId = started.call.id;
    await request(bo!.socket, "group:join", { callId });
    const signalToAnn = async (socket: typeof first) => {
      const heard = waitFor(socket, "group:signal");
      await request(bo!.socket, "group:signal", { callId, peer: ann.user.id, candidate: null });
      return (await heard).peer;
    };
    const states = record(dee!.socket, "group:state");
    const presence = record(bo!.socket, "call:participant");
    const annRef = { id: ann.user.id, name: "Ann" };

    // The same page reconnects (a network blip): still in the call, and signals reach it.
    const firstId = first.id;
    first.disconnect();
    await gone(firstId);
    const again = await tab(ann.token, "ann-page-1");
    expect(await signalToAnn(again)).toBe(bo!.session.user.id);
    await eventually(() => presence.length === 2, 10_000, "away and back");
    expect(presence).toEqual([
      { callId, user: annRef, state: "away" },
      { callId, user: annRef, state: "back", rejoined: false },
    ]);
    // A second tab of Ann's while the first holds the call: nothing changes.
    const second = await tab(ann.token, "ann-page-2", "tab-2");
    expect(await request(bo!.socket, "group:signal", { callId, peer: ann.user.id, candidate: null })).toEqual(
      { ok: true },
    );

    // The holding page reloads: the new page of the same tab is told it still holds the place.
    const againId = again.id;
    again.disconnect();
    await gone(againId);
    const reloaded = server.open({ token: ann.token, page: "ann-page-3" }, { tab: "tab-1" });
    expect(await waitFor(reloaded, "call:held")).toEqual({ callId, kind: "group" });
    expect(await signalToAnn(reloaded)).toBe(bo!.session.user.id);
    await eventually(() => presence.length === 4, 10_000, "away and back again");
    expect(presence.slice(2)).toEqual([
      { callId, user: annRef, state: "away" },
      { callId, user: annRef, state: "back", rejoined: true },
    ]);
    expect(states.filter((state) => !names(state.call)?.includes("Ann"))).toEqual([]); // never left
    expect(second.connected).toBe(true);

    // Past the grace after her page closes for good, she is out, and the room is told why.
    const out = waitFor(dee!.socket, "group:state", (s) => names(s.call)?.join() === "Bo", 10_000);
    const at = Date.now();
    reloaded.disconnect();
    const state = await out;
    expect(Date.now() - at).toBeLessThan(5_000);
    expect(state.departed).toEqual({ user: annRef, reason: "left" });
  });
});

describe("a lost connection in a group call", () => {
  const server = useServer({ SESSION_GRACE_MS: "20000", CALL_GRACE_MS: "1500" });

  it("keeps the place for the call grace, then takes the participant out with 'connection lost'", async () => {
    const [ann, bo] = await Promise.all(["Ann", "Bo"].map((n) => server.enter(n)));
    const started = (await request(ann!.socket, "group:start", {})) as unknown as { call: GroupCall };
    await request(bo!.socket, "group:join", { callId: started.call.id });
    const away = waitFor(ann!.socket, "call:participant", (p) => p.state === "away");
    const out = waitFor(ann!.socket, "group:state", (s) => names(s.call)?.join() === "Ann", 15_000);
    // Bo's network goes silent: the server gives up on his pings (Engine.IO's own "ping timeout" path).
    const held = [...server.instance.io.of("/").sockets.values()].find(
      (socket) => socket.data.userId === bo!.session.user.id,
    );
    const lostAt = Date.now();
    (held!.conn as unknown as { onClose: (reason: string) => void }).onClose("ping timeout");
    expect((await away).user.name).toBe("Bo");
    const state = await out;
    expect(state.departed).toEqual({ user: { id: bo!.session.user.id, name: "Bo" }, reason: "lost" });
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(1_500);
  });
});

describe("a 1:1 call's tab goes away", () => {
  const server = useServer({ SESSION_GRACE_MS: "20000", CLOSED_TAB_GRACE_MS: "3000" });

  it("keeps the call when the page that accepted it reloads, not for a second tab; ends it with 'left' once closed", async () => {
    const ann = await server.enter("Ann");
    const bo = await createSession(server.url, "Bo");
    const tab = async (page: string, tabId = "tab-1") => {
      const socket = server.open({ token: bo.token, page }, { tab: tabId });
      await waitFor(socket, "session:ready");
      return socket;
    };
    const first = await tab("bo-page-1");
    const opened = waitFor(first, "private:opened");
    await request(ann.socket, "private:open", { with: bo.user.id });
    await opened;
    const incoming = waitFor(first, "call:incoming");
    await request(ann.socket, "call:invite", {});
    const { call } = await incoming;
    await request(first, "call:answer", { callId: call.id, accept: true });
    const ended = record(ann.socket, "call:ended");
    const presence = record(ann.socket, "call:participant");
    const boRef = { id: bo.user.id, name: "Bo" };

    const second = await tab("bo-page-2", "tab-2");
    expect(await request(second, "call:signal", { callId: call.id, candidate: null })).toEqual({ ok: true });
    const firstId = first.id;
    first.disconnect();
    await eventually(() => !server.instance.io.of("/").sockets.has(firstId ?? ""), 10_000, "tab gone");
    // Ann's page answers "back, rejoined" as the SPA does: a new connection, whose offer goes out at
    // once. The reloaded page must know its call (call:held) before that offer reaches it, however
    // slowly its own start goes: here its chat history is held until Ann's signal went out (or 500 ms).
    let annSignalled!: () => void;
    const signalled = new Promise<void>((resolve) => (annSignalled = resolve));
    ann.socket.on("call:participant", (presence) => {
      if (!presence.rejoined) return;
      void request(ann.socket, "call:signal", { callId: call.id, candidate: null }).then(annSignalled);
    });
    const store = server.instance.store;
    const history = store.privateHistory.bind(store);
    store.privateHistory = async (chatId) => {
      await Promise.race([signalled, new Promise((resolve) => setTimeout(resolve, 500))]);
      return history(chatId);
    };
    const reloaded = server.open({ token: bo.token, page: "bo-page-3" }, { tab: "tab-1" });
    const order: string[] = [];
    reloaded.onAny((event: string) => order.push(event));
    const [chat, held] = await Promise.all([
      waitFor(reloaded, "private:opened"),
      waitFor(reloaded, "call:held"),
    ]);
    await eventually(() => order.includes("call:signal"), 10_000, "Ann's offer to the new page");
    expect(order.filter((event) => event === "call:held" || event === "call:signal")).toEqual([
      "call:held",
      "call:signal",
    ]);
    expect(chat.call).toMatchObject({ id: call.id, state: "active" }); // the call goes on
    expect(held).toEqual({ callId: call.id, kind: "private" });
    expect(await request(reloaded, "call:signal", { callId: call.id, candidate: null })).toEqual({
      ok: true,
    });
    await eventually(() => presence.length === 2, 10_000, "away and back");
    expect(presence).toEqual([
      { callId: call.id, user: boRef, state: "away" },
      { callId: call.id, user: boRef, state: "back", rejoined: true },
    ]);
    expect(ended).toEqual([]);

    // The page closes for good: within seconds, both sides are told the call ended because Bo left.
    const over = waitFor(ann.socket, "call:ended", undefined, 10_000);
    const toSecond = waitFor(second, "call:ended", undefined, 10_000);
    const at = Date.now();
    reloaded.disconnect();
    expect(await over).toEqual({ callId: call.id, reason: "left", by: boRef });
    expect(Date.now() - at).toBeLessThan(5_000);
    expect((await toSecond).reason).toBe("left");
  });
});

describe("group calls across two instances on one Redis", () => {
  const instances = useInstancesOnRedis(["g1", "g2"]);

  it("invites, joins and relays signals between participants on different instances", async () => {
    const ann = await instances.enter(0, "Ann");
    const bo = await instances.enter(1, "Bo");
    const started = (await request(ann.socket, "group:start", {})) as unknown as { call: GroupCall };
    const invited = waitFor(bo.socket, "group:invited");
    await request(ann.socket, "group:invite", { with: bo.session.user.id });
    expect((await invited).from.name).toBe("Ann");
    expect(await request(bo.socket, "group:join", { callId: started.call.id })).toMatchObject({
      ok: true,
      call: { participants: [{ name: "Ann" }, { name: "Bo" }] },
    });
    const signal = waitFor(ann.socket, "group:signal");
    await request(bo.socket, "group:signal", {
      callId: started.call.id,
      peer: ann.session.user.id,
      description: offer,
    });
    expect((await signal).peer).toBe(bo.session.user.id);
  });

  it("keeps the call's started and ended lines in the room's history, for both instances and later joiners", async () => {
    const cy = await instances.enter(0, "Cy", "SPORTS");
    const di = await instances.enter(1, "Di", "SPORTS");
    const startedLine = waitFor(di.socket, "room:message", (m) => m.call === "started");
    const started = (await request(cy.socket, "group:start", {})) as unknown as { call: GroupCall };
    expect(await startedLine).toMatchObject({ room: "SPORTS", call: "started", from: { name: "Cy" } });
    const endedLine = waitFor(di.socket, "room:message", (m) => m.call === "ended");
    expect(await request(cy.socket, "group:leave", {})).toEqual({ ok: true });
    expect(await endedLine).toMatchObject({ room: "SPORTS", call: "ended" });
    // Nobody edits or deletes them, not even who started the call.
    const line = await startedLine;
    expect(await request(cy.socket, "room:edit", { id: line.id, text: "no call" })).toMatchObject({
      ok: false,
      error: { code: "no_message" },
    });
    expect(started.call.room).toBe("SPORTS");
    // A later joiner, on the other instance, finds both in the history.
    const ed = await instances.enter(1, "Ed", "SPORTS");
    expect(ed.state.history.filter((m) => m.call).map((m) => m.call)).toEqual(["started", "ended"]);
  });
});
