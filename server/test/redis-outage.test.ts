// Redis is away for longer than ioredis retries a queued command (20 reconnections, about 10 s) while
// people leave and move: the Socket.IO adapter's (un)subscriptions must not reject unhandled and crash
// an instance, and once Redis is back the cluster is right again (lists exact, the leavers gone after
// their grace, delivery across instances).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, join, request, waitFor } from "./support/clients.js";
import { eventually, trackMembers } from "./support/cluster.js";
import { freePort } from "./support/ports.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { spawnServer, type ServerProcess } from "./support/server.js";

/** Longer than ioredis's default retries of a queued command (maxRetriesPerRequest 20: about 10.5 s). */
const OUTAGE_MS = 13_000;

let redis: RedisProcess;
let servers: ServerProcess[] = [];
beforeAll(async () => {
  redis = await startRedis({ dataDir: mkdtempSync(path.join(tmpdir(), "videochat-aof-")) });
  const env = { REDIS_URL: redis.url, SESSION_GRACE_MS: "3000", REAPER_INTERVAL_MS: "200" };
  servers = await Promise.all(
    ["out-a", "out-b"].map(async (id) => spawnServer(await freePort(), { ...env, INSTANCE_ID: id })),
  );
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await redis?.stop();
});

describe(`Redis away for ${OUTAGE_MS / 1000} s while people leave and move`, () => {
  it("keeps every instance up and the cluster right once Redis is back", async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const alice = await join(one.url, "Alice");
    const bob = await join(two.url, "Bob");
    const carol = await join(one.url, "Carol");
    const dave = await join(two.url, "Dave", "SPORTS");
    const erin = await join(one.url, "Erin", "SPORTS");
    try {
      const aliceSees = trackMembers(alice);
      await redis.stop();
      // While Redis is away: Carol and Dave close their tabs (their sockets leave every channel on
      // both instances), and Erin tries to move to GENERAL.
      carol.socket.disconnect();
      dave.socket.disconnect();
      const move = request(erin.socket, "room:join", { room: "GENERAL" }, 60_000);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await redis.restart();

      expect((await move).ok, "a move during the outage is answered, not lost").toBeDefined();
      for (const server of servers) {
        expect(server.child.exitCode, server.output().slice(-3000)).toBeNull();
        // What Node prints when an uncaught error or unhandled rejection ends the process.
        expect(server.output()).not.toMatch(/^Node\.js v\d/m);
      }
      // Erin may or may not have moved (the Store was away): the lists must say what the Store says.
      const erinIn = async () => {
        const eve = await join(one.url, `Eve${Date.now() % 100000}`);
        const members = eve.state.members.map((member) => member.name);
        eve.socket.disconnect();
        return members;
      };
      await eventually(
        async () => {
          const general = (await erinIn()).filter((name) => !name.startsWith("Eve"));
          const expected = general.includes("Erin") ? "Alice,Bob,Erin" : "Alice,Bob";
          return general.sort().join() === expected && aliceSees().join() === expected;
        },
        30_000,
        "GENERAL holds Alice, Bob (and Erin if her move went through), in the Store and in Alice's list",
      );
      // Carol's and Dave's names are free again after their grace.
      await eventually(
        async () => {
          const claims = await Promise.all(
            ["Carol", "Dave"].map((name) =>
              fetch(`${two.url}/api/session`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ name: `${name}`, room: "GAMES" }),
              }),
            ),
          );
          return claims.every((claim) => claim.status === 201);
        },
        30_000,
        "Carol and Dave released",
      );
      // Delivery across instances works again.
      const heard = waitFor(bob.socket, "room:message", (m) => m.text === "after the outage");
      expect((await request(alice.socket, "room:message", { text: "after the outage" })).ok).toBe(true);
      await heard;
      for (const server of servers) expect(server.child.exitCode).toBeNull();
    } finally {
      closeAll(alice.socket, bob.socket, carol.socket, dave.socket, erin.socket);
    }
  }, 120_000);
});
