// Stopping is bounded: a signalled instance exits within SHUTDOWN_TIMEOUT_MS whatever Redis does. Before
// the deadline, an instance whose Redis was frozen (SIGSTOP: connections stay open, nothing answers)
// waited for good on the Store writes its close makes, and only SIGKILL stopped it.
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepts } from "../../scripts/cluster/processes.js";
import { loadConfig } from "../src/config.js";
import { closeAll, join } from "./support/clients.js";
import { freePort } from "./support/ports.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { spawnServer } from "./support/server.js";

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
