// Events that race across two instances on one Redis: cross-feature rules hold inside the Store's
// atomic step, and every socket's Socket.IO rooms end up matching what the Store says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roomChannel } from "../src/realtime/channels.js";
import { closeAll, join, openSocket, request, waitFor, type Joined } from "./support/clients.js";
import { eventually } from "./support/cluster.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

let redis: RedisProcess;
let servers: TestServer[] = [];
beforeAll(async () => {
  redis = await startRedis();
  servers = await Promise.all(
    ["race-1", "race-2"].map((id) => startServer({ REDIS_URL: redis.url, INSTANCE_ID: id })),
  );
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await redis?.stop();
});

/** The room channels each local socket of `userId` is subscribed to, on every instance. */
function subscriptions(userId: string): string[][] {
  return servers.flatMap((server) =>
    [...server.instance.io.of("/").sockets.values()]
      .filter((socket) => socket.data.userId === userId)
      .map((socket) => [...socket.rooms].filter((room) => room.startsWith(roomChannel(""))).sort()),
  );
}

describe("racing events across two instances", () => {
  it("never leaves a private chat between two rooms when A moves while B opens a chat with A (60 trials)", async () => {
    const store = servers[0]!.instance.store;
    const users: Joined[] = [];
    try {
      for (let trial = 0; trial < 60; trial++) {
        const a = await join(servers[0]!.url, `mover${trial}`);
        const b = await join(servers[1]!.url, `opener${trial}`);
        users.push(a, b);
        await Promise.all([
          request(a.socket, "room:join", { room: "SPORTS" }),
          request(b.socket, "private:open", { with: a.session.user.id }),
        ]);
        const [sa, sb] = await Promise.all([
          store.getSession(a.session.user.id),
          store.getSession(b.session.user.id),
        ]);
        expect(sa?.room).toBe("SPORTS");
        if (sa?.chatId || sb?.chatId) expect([sa?.chatId, sa?.room]).toEqual([sb?.chatId, sb?.room]);
        closeAll(a.socket, b.socket);
      }
    } finally {
      closeAll(...users.map((user) => user.socket));
    }
  }, 120_000);

  it("keeps every tab's Socket.IO rooms equal to the Store's room when two tabs on two instances move at once", async () => {
    const ann = await join(servers[0]!.url, "Ann");
    const second = openSocket(servers[1]!.url, { token: ann.session.token });
    await waitFor(second, "session:ready");
    const store = servers[0]!.instance.store;
    try {
      const rooms = ["SPORTS", "GAMES", "GENERAL"];
      for (let trial = 0; trial < 20; trial++) {
        const [one, two] = [rooms[trial % 3]!, rooms[(trial + 1) % 3]!];
        await Promise.all([
          request(ann.socket, "room:join", { room: one }),
          request(second, "room:join", { room: two }),
        ]);
        const session = await store.getSession(ann.session.user.id);
        const expected = [roomChannel(session!.room)];
        await eventually(
          () =>
            subscriptions(ann.session.user.id).every((subscribed) => subscribed.join() === expected.join()),
          5_000,
          `both tabs subscribed to ${expected.join()} only (trial ${trial}): ${JSON.stringify(subscriptions(ann.session.user.id))}`,
        );
        expect(subscriptions(ann.session.user.id)).toHaveLength(2);
      }
    } finally {
      closeAll(ann.socket, second);
    }
  }, 60_000);
});
