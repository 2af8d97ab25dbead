// Redis restarts with no persistence while people are connected: a socket is connected only while its
// session exists, so each instance rebuilds the sessions its live sockets hold (name claim, room,
// status) and every member list is corrected; nobody can take the name of someone still connected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyDelta,
  fromSnapshot,
  supersedes,
  type MemberDelta,
  type MemberList,
} from "../../client/src/features/room/members.js";
import { closeAll, join, request, type Joined } from "./support/clients.js";
import { eventually } from "./support/cluster.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

const USERS = 30;
let redis: RedisProcess;
let servers: TestServer[] = [];
beforeAll(async () => {
  redis = await startRedis(); // no data directory: a restart comes back empty
  servers = await Promise.all(
    ["lost-a", "lost-b"].map((id) =>
      startServer({
        REDIS_URL: redis.url,
        INSTANCE_ID: id,
        SESSION_GRACE_MS: "30000",
        HEARTBEAT_INTERVAL_MS: "1000",
      }),
    ),
  );
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await redis?.stop();
});

function track(user: Joined) {
  let list: MemberList = fromSnapshot(user.state);
  const apply = (delta: MemberDelta) => applyDelta(list, delta);
  user.socket.on("room:state", (state) => {
    if (supersedes(list, state)) list = fromSnapshot(state);
  });
  user.socket.on("room:member-joined", (d) => apply({ kind: "joined", ...d }));
  user.socket.on("room:member-left", (d) => apply({ kind: "left", ...d }));
  user.socket.on("room:member-updated", (d) => apply({ kind: "updated", ...d }));
  return () => list;
}

describe("Redis restarted empty with 30 users connected", () => {
  it("rebuilds every session from its live sockets, corrects every list and keeps names taken", async () => {
    const users: Joined[] = [];
    try {
      for (let i = 0; i < USERS; i++) {
        const room = i % 3 === 0 ? "SPORTS" : "GENERAL";
        users.push(await join(servers[i % 2]!.url, `user${i}`, room));
      }
      await request(users[1]!.socket, "presence:set", { status: "unavailable" });
      const lists = users.map(track);
      const names = (room: string) =>
        users
          .filter((_, i) => (i % 3 === 0) === (room === "SPORTS"))
          .map((user) => user.session.user.name)
          .sort()
          .join();

      await redis.stop();
      await redis.restart(); // no persistence: every key is gone

      const exact = () =>
        users.every((user, i) => {
          const list = lists[i]!();
          const room = i % 3 === 0 ? "SPORTS" : "GENERAL";
          return (
            list.room === room &&
            [...list.members.values()]
              .map((m) => m.name)
              .sort()
              .join() === names(room)
          );
        });
      const took = await eventually(exact, 15_000, "every member list exact after the rebuild");
      console.log(`Redis lost its data: every list exact again ${took} ms after it came back`);
      expect(users.every((user) => user.socket.connected)).toBe(true);
      expect([...lists[2]!().members.values()].find((m) => m.name === "user1")?.status).toBe("unavailable");

      // Every action works again, and a connected user's name is still theirs.
      for (const user of users) {
        expect(
          (await request(user.socket, "room:message", { text: `back ${user.session.user.name}` })).ok,
        ).toBe(true);
      }
      const stolen = await fetch(`${servers[0]!.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "user7", room: "GENERAL" }),
      });
      expect(stolen.status).toBe(409);
    } finally {
      closeAll(...users.map((user) => user.socket));
    }
  }, 60_000);
});
