// A resync (after the subscriber came back, or a takeover) re-attaches every local socket and re-sends its
// room state, which carries what it missed while broadcasts were cut. In the Sentinel drill a re-attach
// met the Store's connection moving to the new primary ("Command timed out") and that member never got
// its room state: a socket refused as retryable is tried again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { reattachAll } from "../src/realtime/lost.js";
import type { RealtimeDeps } from "../src/realtime/deps.js";
import { NotReplicated } from "../src/redis/replicated.js";
import type { Store } from "../src/state/store.js";
import { closeAll, join, waitFor, type Joined } from "./support/clients.js";
import { startServer, type TestServer } from "./support/server.js";

let server: TestServer;
let ann: Joined;
beforeAll(async () => {
  server = await startServer();
  ann = await join(server.url, "Ann");
});
afterAll(async () => {
  closeAll(ann?.socket);
  await server?.close();
});

/** The instance's Store, whose attachConnection is refused as retryable `refusals` times first. */
function switching(store: Store, refusals: number): { store: Store; refused: () => number } {
  let refused = 0;
  const flaky = new Proxy(store, {
    get(target, key) {
      if (key === "attachConnection")
        return async (...args: Parameters<Store["attachConnection"]>) => {
          if (refused < refusals) {
            refused += 1;
            throw new NotReplicated("the primary connection broke before a replica confirmed");
          }
          return target.attachConnection(...args);
        };
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: flaky, refused: () => refused };
}

describe("re-attaching every local socket", () => {
  it("tries a socket again when Redis refused it as switching, and sends its room state", async () => {
    const { instance } = server;
    const { store, refused } = switching(instance.store, 2);
    const deps = {
      io: instance.io,
      instanceKey: instance.instanceKey,
      connectionId: (socket: { id: string }) => `${instance.instanceKey}/${socket.id}`,
      store,
      config: loadConfig({}),
      logger: instance.logger,
      clock: Date.now,
    } as unknown as RealtimeDeps;
    const state = waitFor(ann.socket, "room:state");

    await reattachAll(deps);

    expect(refused()).toBe(2);
    expect((await state).room).toBe(ann.state.room);
  });
});
