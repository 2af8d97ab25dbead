// A flood kept under the per-connection cut by spreading it: over the tabs of one session (across two
// instances on Redis), or over sessions from one address; and signals whose bytes sit in fields the
// byte budget once did not count (sdpMid, usernameFragment).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeAll,
  createSession,
  join,
  openSocket,
  openSocketFrom,
  request,
  waitFor,
  type ClientSocket,
  type Joined,
} from "./support/clients.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

const ENV = {
  FLOOD_REFUSALS: "50",
  FLOOD_ADDRESS_REFUSALS: "150",
  FLOOD_WINDOW_MS: "30000",
  FLOOD_COOLDOWN_MS: "5000",
};

/** Sends `count` malformed events (each refused with invalid_payload), one after the other. */
async function refused(socket: ClientSocket, count: number): Promise<void> {
  for (let i = 0; i < count && socket.connected; i++) {
    await request(socket, "room:message", { text: 5 } as never, 5_000).catch(() => null);
  }
}

/** Resolves with the `session:ended` reason once `socket` is told it was cut. */
const cut = (socket: ClientSocket) => waitFor(socket, "session:ended").then((reason) => reason.code);

describe("the flood cut, per session across tabs and per address (two instances on Redis)", () => {
  let redis: RedisProcess;
  let servers: TestServer[] = [];
  const sockets: ClientSocket[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const env = { ...ENV, REDIS_URL: redis.url };
    // Each its own INSTANCE_ID: in one process the default is the same for both, and each would take
    // the other's connections over as an earlier run of itself.
    servers = [
      await startServer({ ...env, INSTANCE_ID: "spread-a" }),
      await startServer({ ...env, INSTANCE_ID: "spread-b" }),
    ];
  }, 60_000);
  afterAll(async () => {
    closeAll(...sockets);
    await Promise.all(servers.map((server) => server.close()));
    await redis.stop();
  });

  it("cuts every tab of a session whose tabs together pass the budget, each under it alone", async () => {
    const alice = await join(servers[0]!.url, "Alice");
    const bob = await join(servers[1]!.url, "Bob");
    const tabs = [alice.socket];
    for (let i = 1; i < 4; i++) {
      const tab = openSocket(servers[i % 2]!.url, { token: alice.session.token });
      await waitFor(tab, "session:ready");
      tabs.push(tab);
    }
    sockets.push(bob.socket, ...tabs);
    const told = tabs.map(cut);
    // 4 tabs x 20 refusals: 80 for the session, 20 for each connection (its own cut is at 50).
    await Promise.all(tabs.map((tab) => refused(tab, 20)));
    expect(await Promise.all(told)).toEqual(["flooding", "flooding", "flooding", "flooding"]);
    // Bob, from the same address but refused nothing, talks on.
    expect((await request(bob.socket, "room:message", { text: "still here" })).ok).toBe(true);
  });

  it("cuts the connections of an address whose sessions together pass its budget", async () => {
    const people: Joined[] = [];
    for (let i = 0; i < 5; i++) people.push(await join(servers[i % 2]!.url, `Spread${i}`));
    sockets.push(...people.map((person) => person.socket));
    // 4 sessions x 40 refusals: each under its own 50, 160 for the address (budget 150).
    const lastOne = cut(people[3]!.socket);
    for (const person of people.slice(0, 4)) await refused(person.socket, 40);
    expect(await lastOne).toBe("flooding");
    expect(people[4]!.socket.connected).toBe(true);
  });
});

describe("the flood cut per address, for an IPv6 client (behind a trusted proxy)", () => {
  let server: TestServer;
  const sockets: ClientSocket[] = [];
  beforeAll(async () => {
    server = await startServer({ ...ENV, TRUST_PROXY: "loopback" });
  });
  afterAll(async () => {
    closeAll(...sockets);
    await server.close();
  });

  /** A session whose socket the proxy says comes from `address`. */
  async function from(address: string, name: string): Promise<ClientSocket> {
    const session = await createSession(server.url, name);
    const socket = openSocketFrom(server.url, session.token, address);
    sockets.push(socket);
    await waitFor(socket, "session:ready");
    return socket;
  }

  it("counts every address of one /64 together, as the claims limit does: a host holds all of them", async () => {
    const spread: ClientSocket[] = [];
    // 4 addresses of one /64 x 40 refusals: each under the session's 50, 160 for the /64 (budget 150).
    for (let i = 1; i <= 4; i++) spread.push(await from(`2001:db8:5:6::${i}`, `Six${i}`));
    const neighbour = await from("2001:db8:5:7::1", "Neighbour");
    const lastOne = cut(spread[3]!);
    for (const socket of spread) await refused(socket, 40);
    expect(await lastOne).toBe("flooding");
    // Another /64 refused nothing: it talks on.
    expect((await request(neighbour, "room:message", { text: "still here" })).ok).toBe(true);
  });
});

describe("the signalling byte budget", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMITS: "call-signal-bytes=20000/10" });
  });
  afterAll(() => server.close());

  it("counts every field of a signal: 100 small candidates with long sdpMid and usernameFragment", async () => {
    const alice = await join(server.url, "Alice");
    const bob = await join(server.url, "Bob");
    try {
      await request(alice.socket, "private:open", { with: bob.session.user.id });
      const incoming = waitFor(bob.socket, "call:incoming");
      await request(alice.socket, "call:invite", {});
      const { call } = await incoming;
      await request(bob.socket, "call:answer", { callId: call.id, accept: true });
      const acks = [];
      for (let i = 0; i < 100; i++) {
        const candidate = {
          candidate: `candidate:${i} 1 udp 1 192.0.2.1 ${i} typ host`,
          sdpMid: "m".repeat(256),
          usernameFragment: "u".repeat(256),
        };
        acks.push(await request(alice.socket, "call:signal", { callId: call.id, candidate }));
      }
      // Each carries about 600 bytes: the 20,000-byte budget lets about 33 through.
      const limited = acks.filter((ack) => !ack.ok && ack.error.code === "rate_limited").length;
      expect(limited).toBeGreaterThanOrEqual(60);
    } finally {
      closeAll(alice.socket, bob.socket);
    }
  });
});
