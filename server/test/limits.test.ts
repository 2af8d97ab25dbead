// Per-user limits on every event family: one user sending 200 of an event at once gets `rate_limited`
// with a wait for the excess, on one instance (memory) and cluster-wide (Redis); real use passes.
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { RATE_LIMIT_DEFAULTS, type LimitFamily } from "../src/limit-families.js";
import type { ClientToServerEvents } from "@videochat/protocol";
import {
  closeAll,
  join,
  openSocket,
  record,
  request,
  waitFor,
  type ClientSocket,
  type Joined,
} from "./support/clients.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";

type Event = keyof ClientToServerEvents;
type Ack = Awaited<ReturnType<typeof request>>;

const FLOOD = 200;
const candidate = (i: number) => ({
  candidate: `candidate:${i} 1 udp 2122260223 192.0.2.${i % 250} ${50000 + i} typ host`,
  sdpMid: "0",
  sdpMLineIndex: 0,
});

/** One representative event per family, with a valid payload for the i-th copy. */
const FAMILIES: [LimitFamily, Event, (i: number, ids: { bob: string }) => object][] = [
  ["room-message", "room:message", (i) => ({ text: `flood ${i}` })],
  ["room-join", "room:join", (i) => ({ room: i % 2 ? "GENERAL" : "SPORTS" })],
  ["presence", "presence:set", (i) => ({ status: i % 2 ? "online" : "absent" })],
  ["private-chat", "private:open", (_, ids) => ({ with: ids.bob })],
  ["private-message", "private:message", (i) => ({ text: `private ${i}` })],
  ["private-typing", "private:typing", (i) => ({ typing: i % 2 === 0 })],
  ["call", "call:end", () => ({ callId: "no-such-call" })],
  ["call-signal", "call:signal", (i) => ({ callId: "no-such-call", candidate: candidate(i) })],
  ["ice-servers", "call:ice-servers", () => ({})],
  ["message-change", "room:delete", (i) => ({ id: i + 1 })],
  ["reaction", "private:react", (i) => ({ id: i + 1, emoji: "👍" })],
  ["reach", "reach:sync", () => ({})],
  ["room-read", "room:read", (i) => ({ room: "GENERAL", id: i })],
  ["file", "file:cancel", () => ({ fileId: "no-such-file" })],
  ["file-signal", "file:signal", (i) => ({ fileId: "no-such-file", candidate: candidate(i) })],
];

const isLimited = (ack: Ack) => !ack.ok && ack.error.code === "rate_limited";

/** Sends `count` copies of an event at once, without waiting for any ack before the next. */
function flood(socket: ClientSocket, event: Event, payload: (i: number) => object, count = FLOOD) {
  return Promise.all(Array.from({ length: count }, (_, i) => request(socket, event, payload(i) as never)));
}

function expectLimited(acks: Ack[], family: LimitFamily) {
  const { points, seconds } = RATE_LIMIT_DEFAULTS[family];
  const limited = acks.filter(isLimited);
  expect(acks.length - limited.length, `${family}: events let through`).toBe(points);
  expect(limited, `${family}: events refused`).toHaveLength(acks.length - points);
  for (const ack of limited) {
    if (ack.ok) continue;
    expect(ack.error.message).toMatch(/^You are sending too fast\. Try again in \d+ s\.$/);
    expect(ack.error.retryAfterMs).toBeGreaterThan(0);
    expect(ack.error.retryAfterMs).toBeLessThanOrEqual(seconds * 1000);
  }
}

function suite(env: () => Record<string, string>, beforeEachServer: () => Promise<void> = async () => {}) {
  let server: TestServer | undefined;
  const sockets: ClientSocket[] = [];
  afterEach(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
    server = undefined;
  });
  async function users(...names: string[]): Promise<Joined[]> {
    await beforeEachServer();
    server = await startServer(env());
    const joined: Joined[] = [];
    for (const name of names) joined.push(await join(server.url, name));
    sockets.push(...joined.map((user) => user.socket));
    return joined;
  }

  for (const [family, event, payload] of FAMILIES) {
    it(`answers ${FLOOD} × ${event} at once with rate_limited past the ${family} limit`, async () => {
      const [alice, bob] = (await users("Alice", "Bob")) as [Joined, Joined];
      if (event.startsWith("private:") && event !== "private:open") {
        await request(alice.socket, "private:open", { with: bob.session.user.id });
      }
      // 200 at once, or more where a family's budget is larger (group calls need more signalling).
      const count = Math.max(FLOOD, RATE_LIMIT_DEFAULTS[family].points + 50);
      const acks = await flood(alice.socket, event, (i) => payload(i, { bob: bob.session.user.id }), count);
      expectLimited(acks, family);
      // The others are not limited by Alice's flood.
      expect(
        isLimited(await request(bob.socket, event, payload(0, { bob: alice.session.user.id }) as never)),
      ).toBe(false);
    });
  }

  it("refuses a session:leave flood past its limit; the first leave ends the session", async () => {
    const [alice] = (await users("Alice")) as [Joined];
    const acks: Ack[] = [];
    const gone = new Promise((resolve) => alice.socket.once("disconnect", resolve));
    for (let i = 0; i < FLOOD; i++) alice.socket.emit("session:leave", {}, (ack: Ack) => acks.push(ack));
    await gone;
    const through = acks.filter((ack) => !isLimited(ack));
    expect(through.length).toBeLessThanOrEqual(RATE_LIMIT_DEFAULTS["session-leave"].points);
    expect(acks.length).toBeGreaterThan(0);
  });

  it("keeps a room:join flood from flooding the room with member events", async () => {
    const [alice, carol] = (await users("Alice", "Carol")) as [Joined, Joined];
    const seen = [
      record(carol.socket, "room:member-joined"),
      record(carol.socket, "room:member-left"),
      record(carol.socket, "room:member-updated"),
    ];
    const acks = await flood(alice.socket, "room:join", (i) => ({ room: i % 2 ? "GENERAL" : "SPORTS" }));
    expectLimited(acks, "room-join");
    // A marker after the flood: everything the flood caused has reached Carol by then.
    const marker = waitFor(carol.socket, "room:message", (m) => m.text === "marker");
    await request(carol.socket, "room:message", { text: "marker" });
    await marker;
    const events = seen.reduce((sum, list) => sum + list.length, 0);
    expect(events).toBeLessThanOrEqual(RATE_LIMIT_DEFAULTS["room-join"].points);
  });

  it("lets real use through: a typing burst and a call set-up's signalling, glare included", async () => {
    const [alice, bob] = (await users("Alice", "Bob")) as [Joined, Joined];
    await request(alice.socket, "private:open", { with: bob.session.user.id });
    const typing = await flood(alice.socket, "private:typing", (i) => ({ typing: i % 2 === 0 }), 40);
    expect(typing.filter(isLimited)).toEqual([]);

    const incoming = waitFor(bob.socket, "call:incoming");
    const invite = await request(alice.socket, "call:invite", {});
    const { call } = await incoming;
    expect(invite.ok).toBe(true);
    expect((await request(alice.socket, "call:ice-servers", {})).ok).toBe(true);
    expect((await request(bob.socket, "call:ice-servers", {})).ok).toBe(true);
    expect((await request(bob.socket, "call:answer", { callId: call.id, accept: true })).ok).toBe(true);
    // Both sides offer at once (glare), roll back, renegotiate: 4 descriptions of 40 KB (large: a
    // packet is at most 64 KB on the wire) and 60 trickled candidates each, all within a second.
    const sdp = "v=0\r\n" + "a=ssrc:1 cname:0123456789abcdef0123456\r\n".repeat(1_000);
    const burst = () => [
      ...["offer", "rollback", "answer", "offer"].map((type) => ({
        callId: call.id,
        description: { type, ...(type === "rollback" ? {} : { sdp }) },
      })),
      ...Array.from({ length: 60 }, (_, i) => ({ callId: call.id, candidate: candidate(i) })),
      { callId: call.id, candidate: null },
    ];
    const atBob = record(bob.socket, "call:signal");
    const acks = await Promise.all(
      [alice, bob].flatMap((user) =>
        burst().map((signal) => request(user.socket, "call:signal", signal as never)),
      ),
    );
    expect(acks.filter((ack) => !ack.ok)).toEqual([]);
    const ended = waitFor(bob.socket, "call:ended");
    await request(alice.socket, "call:end", { callId: call.id });
    await ended;
    expect(atBob).toHaveLength(65);
  });
}

describe("event limits, one instance (memory)", () => {
  suite(() => ({}));
});

describe("event limits on Redis", () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  suite(
    () => ({ REDIS_URL: redis.url }),
    () => redis.flush(),
  );

  it("refuses past the limit without asking Redis again until the window ends", async () => {
    await redis.flush();
    // Two floods of 200 are past the refusals that get a connection cut (flood.test.ts): not here.
    const server = await startServer({ REDIS_URL: redis.url, FLOOD_REFUSALS: "100000" });
    const alice = await join(server.url, "Alice");
    const client = new Redis(redis.url);
    // room:message's budget is the instance's view, charged to Redis in batches (post-budgets.ts): one
    // key per user, (window start mod 2^31) * 2^21 + used.
    const counted = async () => {
      const value = await client.get(`videochat:rl:post:${alice.session.user.id}`);
      return value === null ? null : Number(value) % 2 ** 21;
    };
    try {
      expectLimited(await flood(alice.socket, "room:message", (i) => ({ text: `a${i}` })), "room-message");
      // The budget was spent in Redis (charged within one batch's time); what this one connection sent
      // beyond it was refused at the edge (it alone is over the budget, so the cluster is too) without
      // a round trip.
      await expect.poll(counted).toBe(RATE_LIMIT_DEFAULTS["room-message"].points);
      const before = await counted();
      const again = await flood(alice.socket, "room:message", (i) => ({ text: `b${i}` }));
      expect(again.every(isLimited)).toBe(true);
      expect(await counted()).toBe(before);
    } finally {
      client.disconnect();
      alice.socket.disconnect();
      await server.close();
    }
  });

  it("holds across instances: two tabs of one user on two instances share one budget, within the bound", async () => {
    await redis.flush();
    const servers = await Promise.all(
      ["limit-a", "limit-b"].map((id) => startServer({ REDIS_URL: redis.url, INSTANCE_ID: id })),
    );
    const alice = await join(servers[0]!.url, "Alice");
    const second = openSocket(servers[1]!.url, { token: alice.session.token });
    try {
      await waitFor(second, "session:ready");
      // One message at a time, alternating tabs (a person's pace): each instance learns the other's use
      // when it charges its own, every `burst` messages (post-budgets.ts): at most points + burst.
      const { points } = RATE_LIMIT_DEFAULTS["room-message"];
      const burst = Math.floor(points / 4);
      const acks: Ack[] = [];
      for (let i = 0; i < 2 * points; i++)
        acks.push(await request(i % 2 ? second : alice.socket, "room:message", { text: `m${i}` }));
      const through = acks.filter((ack) => !isLimited(ack)).length;
      expect(through).toBeGreaterThanOrEqual(points);
      expect(through).toBeLessThanOrEqual(points + burst);
      expect(acks.slice(-4).every(isLimited), "both tabs refused at the end").toBe(true);
    } finally {
      closeAll(alice.socket, second);
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});

describe("limit configuration", () => {
  it("takes overrides per family and refuses a family or a budget it does not know", () => {
    const config = loadConfig({
      MESSAGE_RATE_PER_10S: "7",
      RATE_LIMITS: "room-join=3/5, call-signal=300/10",
    });
    expect(config.rateLimits["room-message"]).toEqual({ points: 7, seconds: 10 });
    expect(config.rateLimits["room-join"]).toEqual({ points: 3, seconds: 5 });
    expect(config.rateLimits["call-signal"]).toEqual({ points: 300, seconds: 10 });
    expect(config.rateLimits.presence).toEqual(RATE_LIMIT_DEFAULTS.presence);
    expect(() => loadConfig({ RATE_LIMITS: "room-jion=3/5" })).toThrow(/"room-jion=3\/5" is not/);
    expect(() => loadConfig({ RATE_LIMITS: "room-join=0/5" })).toThrow(/RATE_LIMITS/);
    expect(() => loadConfig({ OUTBOUND_BUFFER_MAX_BYTES: "1000" })).toThrow(/OUTBOUND_BUFFER_MAX_BYTES/);
  });
});
