// Instances that restart under the same name, freeze, or die while a call rings, behind a real nginx
// on a real Redis: no ghost, no socket without a session, and every deadline fired by whoever is alive.
import { afterEach, describe, expect, it } from "vitest";
import type { Cluster } from "../../scripts/cluster/topology.js";
import { request, waitFor } from "./support/clients.js";
import {
  eventually,
  joinOn,
  restartInstance,
  startTestCluster,
  trackMembers,
  type TabUser,
} from "./support/cluster.js";

let cluster: Cluster | undefined;
const users: TabUser[] = [];
afterEach(async () => {
  for (const user of users.splice(0)) user.socket.disconnect();
  await cluster?.stop();
  cluster = undefined;
});

async function enter(name: string, instance: string, room = "GENERAL") {
  const user = await joinOn(cluster!.url, name, instance, { room });
  users.push(user);
  return user;
}

const claim = async (name: string) =>
  (
    await fetch(`${cluster!.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, room: "GENERAL" }),
    })
  ).status;

const occupancy = async (room: string) => {
  const body = (await (await fetch(`${cluster!.url}/api/rooms`)).json()) as {
    rooms: { name: string; count: number }[];
  };
  return body.rooms.find((entry) => entry.name === room)?.count;
};

describe("an instance restarts under the same INSTANCE_ID", () => {
  it("leaves no ghost 15 s after the kill and frees every name after the grace", async () => {
    const env = { SESSION_GRACE_MS: "12000", ORPHAN_GRACE_MS: "12000", REAPER_INTERVAL_MS: "250" };
    cluster = await startTestCluster(env);
    const ann = await enter("Ann", "app1"); // never comes back
    const ben = await enter("Ben", "app1"); // resumes elsewhere, then closes
    const cy = await enter("Cy", "app2");
    const seenByCy = trackMembers(cy);
    await eventually(() => seenByCy().join() === "Ann,Ben,Cy", 5_000, "Cy sees everyone");

    ann.socket.io.reconnection(false);
    const benBack = waitFor(ben.socket, "session:ready", (ready) => ready.resumed, 10_000);
    const killedAt = Date.now();
    await cluster.instances.find((instance) => instance.id === "app1")!.stop("SIGKILL");
    ann.socket.disconnect();
    await benBack;
    // Compose's restart policy brings the same name back within seconds.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + 3_000 - Date.now())));
    await restartInstance(cluster, "app1", env);

    await eventually(
      async () => seenByCy().join() === "Ben,Cy" && (await occupancy("GENERAL")) === 2,
      15_000 - (Date.now() - killedAt),
      "no ghost of Ann in Cy's list or in /api/rooms",
    );
    console.log(`same-name restart: no ghost ${Date.now() - killedAt} ms after the kill`);
    await eventually(async () => (await claim("Ann")) === 201, 2_000, "Ann's name free again");

    // Ben had resumed on the other instance; when he closes, his name is freed after his grace.
    const closedAt = Date.now();
    ben.socket.disconnect();
    await eventually(async () => (await claim("Ben")) === 201, 16_000, "Ben's name free after the grace");
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(11_000);
    // The freed name and Ben's departure travel different ways (HTTP vs. pub/sub to Cy's instance).
    await eventually(() => seenByCy().join() === "Cy", 5_000, "Cy sees Ben leave");
  }, 90_000);
});

describe("the caller's instance dies while a call rings", () => {
  it("ends the call as missed at the ring timeout, and the caller can call again", async () => {
    cluster = await startTestCluster({ CALL_RING_TIMEOUT_MS: "4000" });
    const ann = await enter("Ann", "app1");
    const ben = await enter("Ben", "app2");
    const opened = waitFor(ben.socket, "private:opened");
    await request(ann.socket, "private:open", { with: ben.userId });
    await opened;
    const incoming = waitFor(ben.socket, "call:incoming");
    const invitedAt = Date.now();
    expect(await request(ann.socket, "call:invite", {})).toMatchObject({ ok: true });
    const { call } = await incoming;
    const missed = waitFor(ben.socket, "call:ended", (ended) => ended.callId === call.id, 15_000);
    const annBack = waitFor(ann.socket, "private:opened", () => true, 15_000);
    await cluster.instances.find((instance) => instance.id === "app1")!.stop("SIGKILL");

    expect((await missed).reason).toBe("missed");
    const after = Date.now() - invitedAt;
    console.log(`ring timeout 4000 ms: missed heard ${after} ms after the invite`);
    expect(after).toBeGreaterThanOrEqual(3_900);
    // The dead ringer's timer is gone: the ring's deadline fires at the next deadline sweep of a live
    // instance, every 5th reaper tick (5 × 1 s, src/cluster/reaper.ts), plus a loaded machine.
    expect(after).toBeLessThan(4_000 + 5_000 + 1_500);
    const resumedChat = await annBack;
    await eventually(
      async () => (await request(ann.socket, "call:invite", {})).ok === true,
      5_000,
      "a new call",
    );
    expect(resumedChat.chat.with.name).toBe("Ben");
  }, 60_000);
});

describe("an instance freezes past the orphan grace (SIGSTOP 16 s)", () => {
  it("leaves no socket connected without a session once it thaws", async () => {
    cluster = await startTestCluster({ REAPER_INTERVAL_MS: "250" });
    const frozen = await Promise.all(["Fae", "Gil"].map((name) => enter(name, "app1")));
    const watcher = await enter("Hal", "app2");
    const seenByHal = trackMembers(watcher);
    const ended = frozen.map((user) =>
      waitFor(user.socket, "session:ended", () => true, 40_000).catch(() => null),
    );
    for (const user of frozen) user.socket.io.reconnection(false);
    const app1 = cluster.instances.find((instance) => instance.id === "app1")!;
    app1.child.kill("SIGSTOP");
    // The other instance declares app1 dead and its users' sessions expire after the orphan grace.
    await eventually(() => seenByHal().join() === "Hal", 20_000, "Fae and Gil reaped while app1 is frozen");
    app1.child.kill("SIGCONT");

    // Each frozen tab is either told and closed, or its session is rebuilt: never connected and useless.
    await eventually(
      async () => {
        const states = await Promise.all(
          frozen.map(async (user, i) => {
            if (!user.socket.connected) return (await ended[i]) !== null;
            return seenByHal().includes(user.name);
          }),
        );
        return states.every(Boolean);
      },
      10_000,
      "every frozen tab closed with a reason, or back in the room",
    );
    for (const [i, user] of frozen.entries()) {
      if (user.socket.connected) {
        expect((await request(user.socket, "room:message", { text: "still here" })).ok).toBe(true);
      } else {
        expect(await ended[i]).toMatchObject({ code: "session_unknown" });
      }
    }
  }, 90_000);
});
