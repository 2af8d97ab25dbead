// A group call across a real nginx, Redis and two instances when one instance is killed (SIGKILL)
// mid-call: a participant whose tab resumes elsewhere stays in and signals again, one who never comes
// back is taken out after the grace, and the call ends with its last participant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../scripts/cluster/topology.js";
import type { GroupCall } from "@videochat/protocol";
import { request, waitFor } from "./support/clients.js";
import { joinOn, startTestCluster, type TabUser } from "./support/cluster.js";

const GRACE_MS = 3_000;
const names = (call: GroupCall | null | undefined) => call?.participants.map((p) => p.name).join();
const offer = { type: "offer" as const, sdp: "v=0\r\n" };

let cluster: Cluster;
const users: TabUser[] = [];
beforeAll(async () => {
  cluster = await startTestCluster({
    SESSION_GRACE_MS: String(GRACE_MS),
    ORPHAN_GRACE_MS: String(GRACE_MS),
    REAPER_INTERVAL_MS: "250",
  });
}, 60_000);
afterAll(async () => {
  for (const user of users) user.socket.disconnect();
  await cluster?.stop();
});

async function enter(name: string, instance: string) {
  const user = await joinOn(cluster.url, name, instance, { room: "GAMES" });
  users.push(user);
  return user;
}

describe("an instance is killed mid group call", () => {
  it("keeps the one who resumes, signalling again; drops the one who never returns; ends with the last", async () => {
    const ann = await enter("Ann", "app1"); // on the instance that lives
    const ben = await enter("Ben", "app2"); // resumes on app1
    const cy = await enter("Cy", "app2"); // closes the laptop when app2 dies
    const dee = await enter("Dee", "app1"); // watches from the room, not in the call

    const full = waitFor(dee.socket, "group:state", (s) => names(s.call) === "Ann,Ben,Cy");
    const started = await request(ann.socket, "group:start", {});
    const callId = (started as unknown as { call: GroupCall }).call.id;
    for (const user of [ben, cy])
      expect(await request(user.socket, "group:join", { callId })).toMatchObject({ ok: true });
    await full;

    const benBack = waitFor(ben.socket, "session:ready", (ready) => ready.resumed, 15_000);
    const withoutCy = waitFor(ann.socket, "group:state", (s) => names(s.call) === "Ann,Ben", 30_000);
    cy.socket.io.reconnection(false);
    const killedAt = Date.now();
    await cluster.instances.find((instance) => instance.id === "app2")!.stop("SIGKILL");
    cy.socket.disconnect();
    expect((await benBack).instanceId).toBe("app1");

    // Ben is still in the call, and signals flow both ways again.
    const toAnn = waitFor(ann.socket, "group:signal", (s) => s.peer === ben.userId);
    expect(
      await request(ben.socket, "group:signal", { callId, peer: ann.userId, description: offer }),
    ).toEqual({ ok: true });
    expect((await toAnn).description).toEqual(offer);
    const toBen = waitFor(ben.socket, "group:signal", (s) => s.peer === ann.userId);
    await request(ann.socket, "group:signal", { callId, peer: ben.userId, candidate: null });
    expect((await toBen).candidate).toBeNull();

    // Cy never came back: out after the grace, and the others' stage says so.
    expect(names((await withoutCy).call)).toBe("Ann,Ben");
    const after = Date.now() - killedAt;
    console.log(`group call: Cy taken out ${after} ms after the kill`);
    expect(after).toBeGreaterThanOrEqual(GRACE_MS - 500);
    expect(
      await request(ann.socket, "group:signal", { callId, peer: cy.userId, candidate: null }),
    ).toMatchObject({ error: { code: "no_call" } });

    // The call ends with its last participant.
    const onlyBen = waitFor(dee.socket, "group:state", (s) => names(s.call) === "Ben");
    await request(ann.socket, "group:leave", {});
    await onlyBen;
    const ended = waitFor(dee.socket, "group:state", (s) => s.call === null);
    expect(await request(ben.socket, "group:leave", {})).toEqual({ ok: true });
    await ended;
    expect(await request(dee.socket, "group:join", { callId })).toMatchObject({
      error: { code: "no_call" },
    });
  }, 90_000);
});
