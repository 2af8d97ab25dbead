// Group calls over real sockets: start, join, invite, decline, full, busy both ways, leave, the last
// leave ending the call, room switches, session expiry, and signals relayed only inside one call; on
// one memory instance and across two instances on one Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupCall } from "@videochat/protocol";
import { closeAll, createSession, join, record, request, waitFor, type Joined } from "./support/clients.js";
import { eventually } from "./support/cluster.js";
import { useServer } from "./support/harness.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

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
  const server = useServer({ SESSION_GRACE_MS: "20000" });

  /** A tab of page `page` (kept across its reconnects, new after a reload), once the server has it. */
  async function tab(token: string, page: string) {
    const socket = server.open({ token, page });
    await waitFor(socket, "session:ready");
    return socket;
  }
  /** Waits until the server has handled the tab's going (its disconnect handler has run). */
  const gone = (id: string | undefined) =>
    eventually(() => !server.instance.io.of("/").sockets.has(id ?? ""), 10_000, "the tab is gone");

  it("keeps the place of a reconnecting page and of a second tab; takes a reloaded page's user out", async () => {
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

    // The same page reconnects (a network blip): still in the call, and signals reach it.
    const firstId = first.id;
    first.disconnect();
    await gone(firstId);
    const again = await tab(ann.token, "ann-page-1");
    expect(await signalToAnn(again)).toBe(bo!.session.user.id);
    // A second tab of Ann's while the first holds the call: nothing changes.
    const states = record(dee!.socket, "group:state");
    await tab(ann.token, "ann-page-2");
    expect(await request(bo!.socket, "group:signal", { callId, peer: ann.user.id, candidate: null })).toEqual(
      {
        ok: true,
      },
    );

    // The holding page reloads: the new page has no media, so Ann is out and the stage updates.
    const out = waitFor(dee!.socket, "group:state", (s) => names(s.call)?.join() === "Bo");
    const free = waitFor(
      dee!.socket,
      "room:member-updated",
      (d) => d.member.name === "Ann" && !d.member.busy,
    );
    const againId = again.id;
    again.disconnect();
    await gone(againId);
    const reloaded = await tab(ann.token, "ann-page-3");
    await Promise.all([out, free]);
    expect(states.map((s) => names(s.call)?.join())).toEqual(["Bo"]);
    expect(
      await request(bo!.socket, "group:signal", { callId, peer: ann.user.id, candidate: null }),
    ).toMatchObject({
      error: { code: "no_call" },
    });
    // The reloaded page may join again, as anyone.
    expect(await request(reloaded, "group:join", { callId })).toMatchObject({
      ok: true,
      call: { participants: [{ name: "Bo" }, { name: "Ann" }] },
    });
  });
});

describe("a 1:1 call's tab goes away", () => {
  const server = useServer({ SESSION_GRACE_MS: "20000" });

  it("ends the call when the page that accepted it reloads, not for a second tab", async () => {
    const ann = await server.enter("Ann");
    const bo = await createSession(server.url, "Bo");
    const tab = async (page: string) => {
      const socket = server.open({ token: bo.token, page });
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

    const second = await tab("bo-page-2");
    expect(await request(second, "call:signal", { callId: call.id, candidate: null })).toEqual({ ok: true });
    const hungUp = waitFor(ann.socket, "call:ended");
    const firstId = first.id;
    first.disconnect();
    await eventually(() => !server.instance.io.of("/").sockets.has(firstId ?? ""), 10_000, "tab gone");
    expect(ended).toEqual([]);
    const reloaded = server.open({ token: bo.token, page: "bo-page-3" });
    const chat = await waitFor(reloaded, "private:opened");
    expect(await hungUp).toEqual({ callId: call.id, reason: "hangup" });
    expect(chat.call).toBeUndefined(); // the chat stays, without the call
    expect(chat.chat.with.name).toBe("Ann");
  });
});

describe("group calls across two instances on one Redis", () => {
  let redis: RedisProcess;
  let servers: TestServer[] = [];
  const users: Joined[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    servers = await Promise.all(
      ["g1", "g2"].map((id) => startServer({ REDIS_URL: redis.url, INSTANCE_ID: id })),
    );
  });
  afterAll(async () => {
    closeAll(...users.map((user) => user.socket));
    await Promise.all(servers.map((server) => server.close()));
    await redis?.stop();
  });

  it("invites, joins and relays signals between participants on different instances", async () => {
    const ann = await join(servers[0]!.url, "Ann");
    const bo = await join(servers[1]!.url, "Bo");
    users.push(ann, bo);
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
});
