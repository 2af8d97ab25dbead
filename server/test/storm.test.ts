// A join storm: 200 users enter one room at once while some move on. Every member list must end exact,
// on one instance and on two instances sharing Redis, using the SPA's own member-list algorithm.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyDelta,
  fromSnapshot,
  supersedes,
  type MemberDelta,
  type MemberList,
} from "../../client/src/members.js";
import {
  closeAll,
  createSession,
  openSocket,
  request,
  waitFor,
  type ClientSocket,
} from "./support/clients.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

const USERS = 200;
const MOVERS = 40;

/** Mirrors what the SPA does: buffer deltas until the room's snapshot, then apply by version. */
function follow(socket: ClientSocket) {
  const view: { list?: MemberList; pending: MemberDelta[] } = { pending: [] };
  const onDelta = (delta: MemberDelta) => {
    if (view.list?.room === delta.room) applyDelta(view.list, delta);
    else view.pending.push(delta);
  };
  socket.on("room:state", (state) => {
    if (!supersedes(view.list, state)) return;
    view.list = fromSnapshot(state);
    for (const delta of view.pending.splice(0)) applyDelta(view.list, delta);
  });
  socket.on("room:member-joined", (d) => onDelta({ kind: "joined", ...d }));
  socket.on("room:member-left", (d) => onDelta({ kind: "left", ...d }));
  socket.on("room:member-updated", (d) => onDelta({ kind: "updated", ...d }));
  return view;
}

async function eventually(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function storm(urls: string[]) {
  const sessions = await Promise.all(
    Array.from({ length: USERS }, (_, i) => createSession(urls[i % urls.length]!, `storm${i}`)),
  );
  const users = sessions.map((session, i) => {
    const socket = openSocket(urls[i % urls.length]!, { token: session.token });
    return { session, socket, view: follow(socket), mover: i % (USERS / MOVERS) === 0 };
  });
  try {
    // Movers leave for SPORTS as soon as they are in, while the rest are still arriving.
    await Promise.all(
      users.map(async (user) => {
        await waitFor(user.socket, "session:ready", () => true, 20_000);
        if (user.mover) expect((await request(user.socket, "room:join", { room: "SPORTS" })).ok).toBe(true);
      }),
    );
    const expected = (room: string) =>
      users
        .filter((user) => user.mover === (room === "SPORTS"))
        .map((user) => user.session.user.id)
        .sort();
    const exact = (user: (typeof users)[number]) => {
      const list = user.view.list;
      const room = user.mover ? "SPORTS" : "GENERAL";
      return (
        list?.room === room &&
        JSON.stringify([...list.members.keys()].sort()) === JSON.stringify(expected(room))
      );
    };
    await eventually(() => users.every(exact), 20_000, "every member list exact");
    expect(users.filter(exact)).toHaveLength(USERS);
    expect(expected("GENERAL")).toHaveLength(USERS - MOVERS);
  } finally {
    closeAll(...users.map((user) => user.socket));
  }
}

describe("join storm", () => {
  it(`ends with every one of ${USERS} members holding the exact list (one instance, memory)`, async () => {
    const server = await startServer();
    try {
      await storm([server.url]);
    } finally {
      await server.close();
    }
  });

  describe("two instances on one Redis", () => {
    let redis: RedisProcess;
    let servers: TestServer[] = [];
    beforeAll(async () => {
      redis = await startRedis();
      servers = await Promise.all(
        ["storm-a", "storm-b"].map((id) => startServer({ REDIS_URL: redis.url, INSTANCE_ID: id })),
      );
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.close()));
      await redis?.stop();
    });

    it(`ends with every one of ${USERS} members holding the exact list`, async () => {
      await storm(servers.map((server) => server.url));
    });
  });
});
