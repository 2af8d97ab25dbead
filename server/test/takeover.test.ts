// An instance that dies between a change in the Store and its broadcasts (found by the fuzz suite):
// once a live instance takes the dead run over, every instance re-sends its sockets their state, so
// the mover's other tabs and the people watching the room catch up with what the Store says.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../src/state/store.js";
import {
  closeAll,
  join,
  openSocket,
  record,
  request,
  waitFor,
  type ClientSocket,
} from "./support/clients.js";
import { eventually, trackMembers } from "./support/cluster.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { instanceSample } from "./support/metrics.js";
import { startServer, type TestServer } from "./support/server.js";

const TTL_MS = 1_000;
const env = {
  HEARTBEAT_INTERVAL_MS: "200",
  INSTANCE_TTL_MS: String(TTL_MS),
  ORPHAN_GRACE_MS: "1000",
  REAPER_INTERVAL_MS: "100",
};
let redis: RedisProcess;
let dying: TestServer;
let survivor: TestServer;
const sockets: ClientSocket[] = [];
beforeEach(async () => {
  redis = await startRedis();
  dying = await startServer({ REDIS_URL: redis.url, INSTANCE_ID: "dying", ...env });
  survivor = await startServer({ REDIS_URL: redis.url, INSTANCE_ID: "survivor", ...env });
});
afterEach(async () => {
  closeAll(...sockets.splice(0));
  await survivor.close();
  await redis.stop();
});

/** Bob with one tab on each instance, and Ann in his room on the survivor. */
async function bobAndAnn() {
  const bob = await join(dying.url, "Bob");
  const otherTab = openSocket(survivor.url, { token: bob.session.token });
  sockets.push(bob.socket, otherTab);
  await waitFor(otherTab, "session:ready");
  const ann = await join(survivor.url, "Ann");
  sockets.push(ann.socket);
  return { bob, otherTab, states: record(otherTab, "room:state"), seenByAnn: trackMembers(ann) };
}

/** Lets `moveToRoom` run in the Store, then holds what follows it (`hold`) until the instance dies. */
function dieAfterMove(store: Store, hold: "reply" | "room state") {
  let moved!: () => void;
  const done = new Promise<void>((resolve) => (moved = resolve));
  const move = store.moveToRoom.bind(store);
  store.moveToRoom = async (...args) => {
    const result = await move(...args);
    moved();
    return hold === "reply" ? new Promise(() => undefined) : result;
  };
  if (hold === "room state") store.roomSnapshot = () => new Promise(() => undefined);
  return done;
}

describe("an instance dies in the middle of a room move", () => {
  for (const hold of ["room state", "reply"] as const) {
    it(`brings the mover's other tab and the room up to date (dies before the ${hold})`, async () => {
      const { bob, otherTab, states, seenByAnn } = await bobAndAnn();
      await eventually(() => seenByAnn().join() === "Ann,Bob", 2_000, "Ann sees Bob");
      const moved = dieAfterMove(dying.instance.store, hold);
      void request(bob.socket, "room:join", { room: "SPORTS" }).catch(() => undefined);
      await moved;
      await dying.instance.crash();
      expect((await survivor.instance.store.getSession(bob.session.user.id))?.room).toBe("SPORTS");

      await eventually(
        () => states.some((state) => state.room === "SPORTS") && seenByAnn().join() === "Ann",
        TTL_MS + 3_000,
        "Bob's tab on the survivor in SPORTS, and Ann's list without him",
      );
      const [socket] = [...survivor.instance.io.of("/").sockets.values()].filter(
        (candidate) => candidate.id === otherTab.id,
      );
      expect([...socket!.rooms].filter((room) => room.startsWith("room:"))).toEqual(["room:SPORTS"]);
      // The dying run is taken over once, by the survivor (its room state may have come first, by resync).
      const takeovers = () => instanceSample(survivor.instance, "videochat_reaper_takeovers_total");
      await expect.poll(takeovers, { timeout: TTL_MS + 3_000 }).toBe(1);
    });
  }
});
