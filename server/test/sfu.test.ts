// Group calls through real Janus nodes (Debian's janus, two nodes on loopback) driven by a real
// instance: placement on the least loaded node, only the call's participants get a place in its
// VideoRoom, no secret of a room ever reaches a client, a leaver is out of the VideoRoom at once, and a
// node killed with SIGKILL has its calls re-homed on the other node by itself.
import Janode from "janode";
import VideoRoomPlugin, { type VideoRoomHandle } from "janode/plugins/videoroom";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GroupCall } from "@videochat/protocol";
import type { SfuPlacement } from "../src/state/sfu/contract.js";
import { closeAll, join, request, waitFor, type Joined } from "./support/clients.js";
import { eventually } from "./support/cluster.js";
import type { JanusNodes } from "../../scripts/cluster/janus.js";
import { startJanusNodes } from "./support/janus.js";
import { instanceSample } from "./support/metrics.js";
import { startServer, type TestServer } from "./support/server.js";

let janus: JanusNodes;
let server: TestServer;
const users: Joined[] = [];

beforeAll(async () => {
  janus = await startJanusNodes(2);
});
afterAll(async () => {
  await janus?.stop();
});
afterEach(async () => {
  closeAll(...users.splice(0).map((user) => user.socket));
  await server?.close();
});

async function enter(name: string): Promise<Joined> {
  const user = await join(server.url, name);
  users.push(user);
  return user;
}

/** A call of `people` (the first starts it), each with a place in its VideoRoom. */
async function sfuCall(...people: Joined[]): Promise<string> {
  const [first, ...rest] = people;
  const started = (await request(first!.socket, "group:start", {})) as unknown as { call: GroupCall };
  for (const person of rest) await request(person.socket, "group:join", { callId: started.call.id });
  for (const person of people)
    expect(await request(person.socket, "sfu:join", { callId: started.call.id })).toEqual({ ok: true });
  return started.call.id;
}

/** Who is in the call's VideoRoom, as Janus says (user ids: the feeds' display). */
async function inVideoRoom(placement: SfuPlacement): Promise<string[]> {
  const connection = await Janode.connect({
    address: { url: placement.node, apisecret: janus.env.JANUS_API_SECRET },
  });
  try {
    const session = await connection.create();
    const handle: VideoRoomHandle = await session.attach(VideoRoomPlugin);
    const { participants } = await handle.listParticipants({
      room: placement.room,
      secret: placement.secret,
    });
    return participants.map((one) => one.display ?? "").sort();
  } finally {
    await connection.close();
  }
}

const placementOf = async (callId: string) => (await server.instance.sfuStore.sfuPlacementOf(callId))!;

describe("group calls through Janus", () => {
  it("places a call on the least loaded live node and puts only its participants in the VideoRoom", async () => {
    server = await startServer({ ...janus.env });
    const store = server.instance.sfuStore;
    const [busyNode, idleNode] = janus.nodes.map((node) => node.url);
    // The busy node says it holds 10 participants; the next heartbeat would correct it, so place now.
    await store.beatSfuNode(busyNode!, 10, Date.now() + 60_000);
    await store.beatSfuNode(idleNode!, 0, Date.now() + 60_000);
    const [ann, bo, cy] = [await enter("Ann"), await enter("Bo"), await enter("Cy")];
    const callId = await sfuCall(ann, bo);
    const placement = await placementOf(callId);
    expect(placement.node).toBe(idleNode);
    expect(await inVideoRoom(placement)).toEqual([ann.session.user.id, bo.session.user.id].sort());
    // The operator's view: two sockets in VideoRooms here, two live nodes, a call of two in GENERAL.
    expect(await instanceSample(server.instance, "videochat_sfu_participants")).toBe(2);
    expect(await instanceSample(server.instance, "videochat_sfu_live_nodes")).toBe(2);
    const inCall = await instanceSample(
      server.instance,
      "videochat_group_call_participants",
      'room="GENERAL"',
    );
    expect(inCall).toBe(2);
    // Cy is in the room but not in the call: no place, and nothing to relay.
    expect(await request(cy.socket, "sfu:join", { callId })).toMatchObject({ error: { code: "no_call" } });
    const offer = { type: "offer" as const, sdp: "v=0\r\n" };
    expect(await request(cy.socket, "sfu:publish", { callId, description: offer })).toMatchObject({
      error: { code: "no_call" },
    });
    expect(
      await request(cy.socket, "sfu:trickle", { callId, target: "publisher", candidate: null }),
    ).toMatchObject({ error: { code: "no_call" } });
    expect(await request(cy.socket, "sfu:restart", { callId })).toMatchObject({ error: { code: "no_call" } });
    // An ICE restart before any subscription exists is nothing to do (queued, then skipped).
    expect(await request(ann.socket, "sfu:restart", { callId })).toEqual({ ok: true });
    // Bad input is refused at the edge with a clear error.
    expect(
      await request(ann.socket, "sfu:trickle", { callId, target: "nobody", candidate: null } as never),
    ).toMatchObject({ error: { code: "invalid_payload" } });
  });

  it("never sends a client the VideoRoom's secret or pin, and takes a leaver out of it at once", async () => {
    server = await startServer({ ...janus.env });
    const [ann, bo] = [await enter("Ann"), await enter("Bo")];
    const seen: string[] = [];
    for (const user of [ann, bo])
      user.socket.onAny((event, payload) => seen.push(JSON.stringify([event, payload])));
    const callId = await sfuCall(ann, bo);
    const placement = await placementOf(callId);
    const acks = await request(ann.socket, "call:ice-servers", {});
    expect(acks).toMatchObject({ ok: true, sfu: true });
    seen.push(JSON.stringify(acks));
    await request(bo.socket, "group:leave", {});
    await eventually(
      async () => (await inVideoRoom(placement)).join() === ann.session.user.id,
      10_000,
      "Bo out of the VideoRoom",
    );
    const everything = seen.join("\n");
    expect(everything).toContain(callId);
    expect(everything).not.toContain(placement.secret);
    expect(everything).not.toContain(placement.pin);
    expect(everything).not.toContain(janus.env.JANUS_API_SECRET);
    // The last one out ends the call: its placement goes.
    await request(ann.socket, "group:leave", {});
    await eventually(async () => !(await server.instance.sfuStore.sfuPlacementOf(callId)), 10_000, "dropped");
  });

  it("re-homes a call when its node dies, and its participants are told to publish again", async () => {
    server = await startServer({ ...janus.env });
    const [ann, bo] = [await enter("Ann"), await enter("Bo")];
    const callId = await sfuCall(ann, bo);
    const before = await placementOf(callId);
    const dying = janus.nodes.find((node) => node.url === before.node)!;
    const moved = waitFor(bo.socket, "sfu:moved", (payload) => payload.callId === callId, 20_000);
    await dying.stop("SIGKILL");
    const killedAt = Date.now();
    await moved;
    const tookMs = Date.now() - killedAt;
    const after = await placementOf(callId);
    expect(after.node).not.toBe(before.node);
    expect(after.epoch).toBe(before.epoch + 1);
    expect(await instanceSample(server.instance, "videochat_sfu_rehomes_total")).toBe(1);
    for (const person of [ann, bo])
      expect(await request(person.socket, "sfu:join", { callId })).toEqual({ ok: true });
    expect(await inVideoRoom(after)).toEqual([ann.session.user.id, bo.session.user.id].sort());
    // Heartbeat TTL (3 s) plus a sweep (1 s), with room for a busy machine.
    expect(tookMs).toBeLessThan(10_000);
  });
});
