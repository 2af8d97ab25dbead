// Stopping is bounded: a signalled instance exits within SHUTDOWN_TIMEOUT_MS whatever Redis does. Before
// the deadline, an instance whose Redis was frozen (SIGSTOP: connections stay open, nothing answers)
// waited for good on the Store writes its close makes, and only SIGKILL stopped it.
import { once } from "node:events";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepts } from "../../scripts/cluster/processes.js";
import { loadConfig } from "../src/config.js";
import { closeAll, join, request } from "./support/clients.js";
import { freePort } from "./support/ports.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, spawnServer } from "./support/server.js";
import { eventually } from "./support/cluster.js";

const SHUTDOWN_TIMEOUT_MS = 3_000;
/** Process exit and the test's own polling on a machine other work keeps busy. */
const SLACK_MS = 3_000;

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  redis?.signal("SIGCONT");
  await redis?.stop();
});

describe("stopping an instance", () => {
  it("gives every process 10 s by default", () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
  });

  it("exits within SHUTDOWN_TIMEOUT_MS while its Redis is frozen, and frees its port", async () => {
    const port = await freePort();
    const server = await spawnServer(port, {
      REDIS_URL: redis.url,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    const alice = await join(server.url, "Alice");
    try {
      redis.signal("SIGSTOP");
      const exited = once(server.child, "exit");
      const started = Date.now();
      server.child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      const elapsed = Date.now() - started;
      console.log(`instance exited ${elapsed} ms after SIGTERM with Redis frozen (code ${code})`);
      expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SLACK_MS);
      // Exit code 1: the deadline cut work short (the log says what), which a supervisor should see.
      expect(code).toBe(1);
      expect(server.output()).toMatch(/shutdown deadline passed/);
      expect(await accepts(port)).toBe(false);
    } finally {
      redis.signal("SIGCONT");
      closeAll(alice.socket);
      await server.stop("SIGKILL");
    }
  });

  it("exits at once, cleanly, when Redis answers", async () => {
    await redis.flush();
    const server = await spawnServer(await freePort(), { REDIS_URL: redis.url });
    const alice = await join(server.url, "Alice");
    try {
      const exited = once(server.child, "exit");
      server.child.kill("SIGTERM");
      expect((await exited)[0]).toBe(0);
      expect(server.output()).toMatch(/"msg":"closed"/);
    } finally {
      closeAll(alice.socket);
    }
  });
});

/** Every connection id of `run` ("<id>#<incarnation>") the Store still holds, under `prefix`. */
async function connectionsOf(url: string, prefix: string, run: string): Promise<string[]> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${prefix}:conns:*`);
    const members = (await Promise.all(keys.map((key) => client.smembers(key)))).flat();
    return members.filter((connection) => connection.startsWith(`${run}/`));
  } finally {
    client.disconnect();
  }
}

describe("a clean stop while Redis is frozen", () => {
  // Found by the fuzz suite (seed 270484525): tabs closed and the instance stopped during a Redis
  // freeze. A closed tab's detach waited behind its call place's write, reached the Store after
  // close() had retired the run and closed the Store's connection, and failed; the retired run was no
  // longer in the registry, so no takeover ever removed that connection: a ghost for good.
  it("leaves no connection of the run once Redis is back (none for a takeover to find)", async () => {
    await redis.flush();
    const prefix = "frozenstop";
    const server = await startServer({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, INSTANCE_ID: "stopping" });
    const run = server.instance.instanceKey;
    const ann = await join(server.url, "Ann");
    const dee = await join(server.url, "Dee");
    // A private chat: Dee's closing tab marks its place away before its detach (more round trips).
    expect(await request(ann.socket, "private:open", { with: dee.session.user.id })).toMatchObject({
      ok: true,
    });
    const sockets = server.instance.io.of("/").sockets;
    expect(await connectionsOf(redis.url, prefix, run)).toHaveLength(2);
    let closing: Promise<void> | undefined;
    try {
      redis.signal("SIGSTOP");
      // Both tabs close: each detach now waits behind its call place's read, and close() has no
      // socket left to detach itself, so its retire is queued first.
      closeAll(ann.socket, dee.socket);
      await eventually(() => sockets.size === 0, 5_000, "the instance saw both tabs close");
      closing = server.close();
      await new Promise((resolve) => setTimeout(resolve, 500)); // Redis stays frozen meanwhile
    } finally {
      redis.signal("SIGCONT");
    }
    await closing;
    expect(await connectionsOf(redis.url, prefix, run)).toEqual([]);
  });
});
