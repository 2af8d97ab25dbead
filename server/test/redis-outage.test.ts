// Redis is away for longer than ioredis retries a queued command (20 reconnections, about 10 s) while
// people leave and move: the Socket.IO adapter's (un)subscriptions must not reject unhandled and crash
// an instance, and once Redis is back the cluster is right again (lists exact, the leavers gone after
// their grace, delivery across instances).
import { describe, expect, it } from "vitest";
import { closeAll, join, record, request, waitFor, type ClientSocket } from "./support/clients.js";
import { eventually, trackMembers } from "./support/cluster.js";
import { useProcessesOnDurableRedis } from "./support/harness.js";
import type { ServerProcess } from "./support/server.js";

/** Longer than ioredis's default retries of a queued command (maxRetriesPerRequest 20: about 10.5 s). */
const OUTAGE_MS = 13_000;

const cluster = useProcessesOnDurableRedis(["out-a", "out-b"], {
  SESSION_GRACE_MS: "3000",
  REAPER_INTERVAL_MS: "200",
});

describe(`Redis away for ${OUTAGE_MS / 1000} s while people leave and move`, () => {
  it("keeps every instance up and the cluster right once Redis is back", async () => {
    const [one, two] = cluster.servers as [ServerProcess, ServerProcess];
    const alice = await join(one.url, "Alice");
    const bob = await join(two.url, "Bob");
    const carol = await join(one.url, "Carol");
    const dave = await join(two.url, "Dave", "SPORTS");
    const erin = await join(one.url, "Erin", "SPORTS");
    const late: ClientSocket[] = [];
    try {
      const aliceSees = trackMembers(alice);
      const bobEnded = record(bob.socket, "session:ended");
      const bobMessages = record(bob.socket, "room:message");
      await cluster.redis.stop();
      // While Redis is away: Carol and Dave close their tabs (their sockets leave every channel on
      // both instances), and Erin tries to move to GENERAL.
      carol.socket.disconnect();
      dave.socket.disconnect();
      const move = request(erin.socket, "room:join", { room: "GENERAL" }, 60_000);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await cluster.redis.restart();

      expect((await move).ok, "a move during the outage is answered, not lost").toBeDefined();
      for (const server of cluster.servers) {
        expect(server.child.exitCode, server.output().slice(-3000)).toBeNull();
        // What Node prints when an uncaught error or unhandled rejection ends the process.
        expect(server.output()).not.toMatch(/^Node\.js v\d/m);
      }
      // Erin may or may not have moved (the Store was away). Eve joins after the outage: her snapshot
      // comes from the Store, and from then on she and Alice must see the same exact list.
      const eve = await join(two.url, "Eve");
      late.push(eve.socket);
      const eveSees = trackMembers(eve);
      const lists = () => `Eve sees ${eveSees().join()}; Alice sees ${aliceSees().join()}`;
      await eventually(
        () => {
          const erinMoved = eveSees().includes("Erin");
          const expected = erinMoved ? "Alice,Bob,Erin,Eve" : "Alice,Bob,Eve";
          return eveSees().join() === expected && aliceSees().join() === expected;
        },
        30_000,
        "GENERAL holds Alice, Bob, Eve (and Erin if her move went through) in Eve's and Alice's lists",
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${lists()}`);
      });
      // Carol's and Dave's names are free again after their grace (a claim that succeeds holds the name,
      // so each name is tried until it is free once).
      for (const name of ["Carol", "Dave"]) {
        const claim = () =>
          fetch(`${two.url}/api/session`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name, room: "GAMES" }),
          });
        await eventually(async () => (await claim()).status === 201, 30_000, `${name} released`);
      }
      // Delivery across instances works again.
      const heard = waitFor(bob.socket, "room:message", (m) => m.text === "after the outage");
      expect((await request(alice.socket, "room:message", { text: "after the outage" })).ok).toBe(true);
      await heard.catch((error: Error) => {
        const why = `Bob connected=${bob.socket.connected}, ended=${JSON.stringify(bobEnded)}, Alice sees ${aliceSees().join()}, Bob got ${bobMessages.map((m) => m.text).join("|")}`;
        throw new Error(`${error.message}: ${why}\n${two.output().slice(-4000)}`);
      });
      for (const server of cluster.servers) expect(server.child.exitCode).toBeNull();
    } finally {
      closeAll(alice.socket, bob.socket, carol.socket, dave.socket, erin.socket);
      closeAll(...late);
    }
  }, 120_000);
});
