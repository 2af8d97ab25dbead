// A claim (POST /api/session) made while Redis is stalled for longer than the grace: its tab still has
// the whole grace to attach, counted from the claim's answer, not from when it was asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession as claimName, openSocket, waitFor } from "./support/clients.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

const GRACE_MS = 1000;

let redis: RedisProcess;
let server: TestServer;
beforeAll(async () => {
  redis = await startRedis();
  server = await startServer({
    REDIS_URL: redis.url,
    SESSION_GRACE_MS: String(GRACE_MS),
    REAPER_INTERVAL_MS: "50",
  });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe("a claim during a Redis stall longer than the grace", () => {
  it("lets its tab attach within the grace after the answer", async () => {
    // The stall must hit the claim's own write (the address limit before it also waits on Redis, and a
    // write sent after the stall would carry a fresh deadline): Redis is frozen, for real, at the moment
    // the first claim reaches the Store, for 2.5 graces.
    const { store } = server.instance;
    const createSession = store.createSession.bind(store);
    let stalls = 1;
    store.createSession = (input) => {
      if (stalls-- > 0) {
        redis.signal("SIGSTOP");
        setTimeout(() => redis.signal("SIGCONT"), GRACE_MS * 2.5);
      }
      return createSession(input);
    };
    const session = await claimName(server.url, "Ivy");
    // The tab takes half its grace to connect (a page load, played on purpose); the reaper runs every
    // 50 ms meanwhile.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 2));
    const socket = openSocket(server.url, { token: session.token });
    try {
      const outcome = await Promise.race([
        waitFor(socket, "session:ready").then((ready) => ready.user.name),
        new Promise<string>((resolve) => socket.once("connect_error", (error) => resolve(error.message))),
      ]);
      expect(stalls).toBeLessThan(1); // the stall did happen
      expect(outcome).toBe("Ivy");
    } finally {
      socket.disconnect();
    }
  }, 30_000);
});
