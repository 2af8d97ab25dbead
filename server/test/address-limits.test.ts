// Per-address bounds where sessions are cheap to make (each a new user, with budgets of its own): one
// address holds at most SESSIONS_PER_ADDRESS live sessions; the sessions of a crowded address (claimed
// while it held ADDRESS_CROWDED_SESSIONS) together may send only so many room and private messages,
// typing, reactions, edits, moves and presence changes; and only so many of its users may hold TURN
// credentials at once, so that one address cannot take a real coturn's whole total-quota. Sessions come
// "from" an address through a trusted proxy's X-Forwarded-For (TRUST_PROXY=loopback), as nginx sends it:
// the claim and the socket alike.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse, GroupCall, IceServer } from "@videochat/protocol";
import { startCoturn, type Coturn } from "../../scripts/cluster/coturn.js";
import { TURN_TOTAL_QUOTA, TURN_USER_QUOTA } from "../../scripts/cluster/turn-peers.js";
import { closeAll, openSocketFrom, request, waitFor, type ClientSocket } from "./support/clients.js";
import { startRedis, type RedisProcess } from "./support/redis.js";
import { startServer, type TestServer } from "./support/server.js";
import { loadConfig } from "../src/config.js";
import { markCrowdedLocally } from "../src/realtime/crowded.js";
import { TurnClient } from "./support/turn-client.js";

const sockets: ClientSocket[] = [];
afterAll(() => closeAll(...sockets.splice(0)));

/** POST /api/session from `address` (the proxy says so): the response. */
function claimFrom(server: TestServer, address: string, name: string) {
  return fetch(`${server.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Forwarded-For": address },
    body: JSON.stringify({ name, room: "GENERAL" }),
  });
}

/** A session claimed from `address` that entered GENERAL on `server`, its socket from there too. */
async function from(server: TestServer, address: string, name: string) {
  const claimed = await claimFrom(server, address, name);
  if (claimed.status !== 201) throw new Error(`${name}: ${claimed.status} ${await claimed.text()}`);
  const session = (await claimed.json()) as CreateSessionResponse;
  const socket = openSocketFrom(server.url, session.token, address);
  sockets.push(socket);
  await Promise.all([waitFor(socket, "session:ready"), waitFor(socket, "room:state")]);
  return { socket, id: session.user.id, name, token: session.token };
}

/** The acks' outcomes: "ok", or the error code with a wait when there is one. */
const outcome = (ack: { ok: boolean; error?: { code: string; retryAfterMs?: number } }) =>
  ack.ok ? "ok" : `${ack.error!.code}${ack.error!.retryAfterMs! > 0 ? " +wait" : ""}`;

describe("message budgets per crowded client address, across its sessions (two instances on Redis)", () => {
  let redis: RedisProcess;
  let servers: TestServer[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      TRUST_PROXY: "loopback",
      // Every session crowded (the address holds one: itself), so every one spends the address's budgets.
      ADDRESS_CROWDED_SESSIONS: "1",
      // Each session 3 a minute; the address 7 (room) and 5 (the others), whatever its number of sessions.
      RATE_LIMITS: [
        "room-message=3/60,room-message-address=7/60,private-message=3/60,private-message-address=5/60",
        "room-typing=3/60,room-typing-address=5/60,reaction=3/60,reaction-address=5/60",
        "room-join=3/60,room-join-address=5/60,presence=3/60,presence-address=5/60",
      ].join(","),
    };
    // Each its own INSTANCE_ID: in one process the default is the same for both.
    servers = [
      await startServer({ ...env, INSTANCE_ID: "address-a" }),
      await startServer({ ...env, INSTANCE_ID: "address-b" }),
    ];
  }, 60_000);
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await Promise.all(servers.map((server) => server.close()));
    await redis?.stop();
  });

  it("refuses room messages past the address's budget, each session within its own; another address talks on", async () => {
    const spread = [];
    for (let i = 0; i < 4; i++) spread.push(await from(servers[i % 2]!, "198.51.100.7", `Spread${i}`));
    const neighbour = await from(servers[1]!, "198.51.100.8", "Neighbour");
    const acks = [];
    // 4 sessions x 3 messages: each within its 3, 12 for the address (7).
    for (const person of spread)
      for (let n = 0; n < 3; n++) acks.push(await request(person.socket, "room:message", { text: `m${n}` }));
    expect(acks.map(outcome)).toEqual([
      ...Array<string>(7).fill("ok"),
      ...Array<string>(5).fill("rate_limited +wait"),
    ]);
    const refused = acks.at(-1)!;
    expect(!refused.ok && refused.error.message).toMatch(/Try again in \d+ s/);
    expect(outcome(await request(neighbour.socket, "room:message", { text: "still here" }))).toBe("ok");
  });

  it("refuses private messages past the address's budget, each session within its own; another address talks on", async () => {
    const spread = [];
    const partners = [];
    for (let i = 0; i < 3; i++) {
      spread.push(await from(servers[i % 2]!, "203.0.113.9", `Sender${i}`));
      partners.push(await from(servers[(i + 1) % 2]!, "203.0.113.10", `Partner${i}`));
    }
    for (let i = 0; i < 3; i++) {
      const opened = waitFor(partners[i]!.socket, "private:opened");
      expect((await request(spread[i]!.socket, "private:open", { with: partners[i]!.id })).ok).toBe(true);
      await opened;
    }
    const acks = [];
    // 3 sessions x 3 messages: each within its 3, 9 for the address (5).
    for (const person of spread)
      for (let n = 0; n < 3; n++)
        acks.push(await request(person.socket, "private:message", { text: `p${n}` }));
    expect(acks.map(outcome)).toEqual([
      ...Array<string>(5).fill("ok"),
      ...Array<string>(4).fill("rate_limited +wait"),
    ]);
    // The partners, from another address, answer.
    for (const partner of partners)
      expect(outcome(await request(partner.socket, "private:message", { text: "hi" }))).toBe("ok");
  });
  it("refuses typing and reactions (they fan out to the room) past the address's budget; another address goes on", async () => {
    const spread = [];
    for (let i = 0; i < 3; i++) spread.push(await from(servers[i % 2]!, "192.0.2.44", `Typist${i}`));
    const neighbour = await from(servers[0]!, "192.0.2.45", "Reader");
    const posted = await request(neighbour.socket, "room:message", { text: "react to me" });
    const id = (posted as unknown as { message: { id: number } }).message.id;
    const typing = [];
    const reactions = [];
    // 3 sessions x 3 of each: each within its 3, 9 for the address (5).
    for (const person of spread)
      for (let n = 0; n < 3; n++) {
        typing.push(await request(person.socket, "room:typing", { typing: n % 2 === 0 }));
        reactions.push(await request(person.socket, "room:react", { id, emoji: "👍", on: n % 2 === 0 }));
      }
    const expected = [...Array<string>(5).fill("ok"), ...Array<string>(4).fill("rate_limited +wait")];
    expect(typing.map(outcome)).toEqual(expected);
    expect(reactions.map(outcome)).toEqual(expected);
    expect(outcome(await request(neighbour.socket, "room:typing", { typing: true }))).toBe("ok");
    expect(outcome(await request(neighbour.socket, "room:react", { id, emoji: "🎉" }))).toBe("ok");
  });

  it("refuses room moves (member events to two rooms) past the address's budget; another address goes on", async () => {
    const spread = [];
    for (let i = 0; i < 3; i++) spread.push(await from(servers[i % 2]!, "192.0.2.50", `Mover${i}`));
    const neighbour = await from(servers[1]!, "192.0.2.51", "Stayer");
    const moves = [];
    // 3 sessions x 3 moves: each within its 3, 9 for the address (5).
    for (const person of spread)
      for (const room of ["SPORTS", "GAMES", "GENERAL"])
        moves.push(await request(person.socket, "room:join", { room }));
    expect(moves.map(outcome)).toEqual([
      ...Array<string>(5).fill("ok"),
      ...Array<string>(4).fill("rate_limited +wait"),
    ]);
    expect(outcome(await request(neighbour.socket, "room:join", { room: "SPORTS" }))).toBe("ok");
  });

  it("refuses presence changes (the room sees each) past the address's budget; another address goes on", async () => {
    const spread = [];
    for (let i = 0; i < 3; i++) spread.push(await from(servers[i % 2]!, "192.0.2.60", `Chooser${i}`));
    const neighbour = await from(servers[1]!, "192.0.2.61", "Steady");
    const choices = [];
    for (const person of spread)
      for (const status of ["absent", "unavailable", "online"] as const)
        choices.push(await request(person.socket, "presence:set", { status }));
    expect(choices.map(outcome)).toEqual([
      ...Array<string>(5).fill("ok"),
      ...Array<string>(4).fill("rate_limited +wait"),
    ]);
    expect(outcome(await request(neighbour.socket, "presence:set", { status: "absent" }))).toBe("ok");
  });
});

describe("the measured flood: 30 sessions of one address, 25 room messages each (defaults, Redis)", () => {
  let redis: RedisProcess;
  let server: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    // The defaults (ADDRESS_CROWDED_SESSIONS 4, ADDRESS_RATE_SESSIONS 10), with minute-long windows so
    // that the whole flood falls in one: 20 a minute per session, 200 a minute per crowded address.
    server = await startServer({
      REDIS_URL: redis.url,
      TRUST_PROXY: "loopback",
      SESSION_CLAIMS_PER_MIN: "60",
      SESSIONS_PER_ADDRESS: "1000",
      ADDRESS_CROWDED_SESSIONS: "4",
      RATE_LIMITS: "room-message=20/60",
    });
  }, 60_000);
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
    await redis?.stop();
  });

  it("lets through the address's 200, not 30 sessions' 600 (the first three included, crowded by the fourth claim); another address talks on", async () => {
    const flood = [];
    for (let i = 0; i < 30; i++) flood.push(await from(server, "198.51.100.99", `Flood${i}`));
    const neighbour = await from(server, "198.51.100.100", "Bystander");
    const acks = await Promise.all(
      flood.map(async (person) => {
        const mine = [];
        for (let n = 0; n < 25; n++)
          mine.push(await request(person.socket, "room:message", { text: `f${n}` }));
        return mine;
      }),
    );
    const accepted = acks.flat().filter((ack) => ack.ok).length;
    console.info(`30 sessions of one address sent 750 room messages: ${accepted} accepted`);
    // The first three sessions were claimed while the address held fewer than 4, but the fourth claim
    // crowded it before anyone sent: all 30 share the address's 200.
    expect(accepted).toBe(200);
    expect(outcome(await request(neighbour.socket, "room:message", { text: "still here" }))).toBe("ok");
  }, 120_000);
});

describe("sessions connected before their address became crowded (two instances on Redis)", () => {
  let redis: RedisProcess;
  let servers: TestServer[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      TRUST_PROXY: "loopback",
      // The third live session of an address crowds it.
      ADDRESS_CROWDED_SESSIONS: "3",
      RATE_LIMITS: "room-message=5/60,room-message-address=4/60,room-typing=5/60,room-typing-address=3/60",
    };
    servers = [
      await startServer({ ...env, INSTANCE_ID: "crowding-a" }),
      await startServer({ ...env, INSTANCE_ID: "crowding-b" }),
    ];
  }, 60_000);
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await Promise.all(servers.map((server) => server.close()));
    await redis?.stop();
  });

  /** Whether `userId`'s socket on `server` spends its address's budgets now. */
  const crowdedOn = (server: TestServer, userId: string) =>
    [...server.instance.io.of("/").sockets.values()].find((socket) => socket.data.userId === userId)?.data
      .crowded ?? false;

  it("spends the address's budgets from the claim that crowds it, on both instances, for the sessions already there", async () => {
    const early = [
      await from(servers[0]!, "198.51.100.20", "Early0"),
      await from(servers[1]!, "198.51.100.20", "Early1"),
    ];
    // Two sessions: not crowded, each within its own budget only.
    expect(crowdedOn(servers[0]!, early[0]!.id)).toBe(false);
    expect(outcome(await request(early[0]!.socket, "room:message", { text: "before" }))).toBe("ok");
    const late = await from(servers[0]!, "198.51.100.20", "Late");
    // The third claim crowds the address: the two connected before learn it, here and on the other instance.
    await expect
      .poll(() => [crowdedOn(servers[0]!, early[0]!.id), crowdedOn(servers[1]!, early[1]!.id)])
      .toEqual([true, true]);
    // From now on the three share the address's 4 room messages (each had 5 of its own) and 3 typings.
    const messages = [];
    const typing = [];
    for (const person of [...early, late])
      for (let n = 0; n < 2; n++) {
        messages.push(await request(person.socket, "room:message", { text: `m${n}` }));
        typing.push(await request(person.socket, "room:typing", { typing: n === 0 }));
      }
    expect(messages.map(outcome)).toEqual([
      ...Array<string>(4).fill("ok"),
      ...Array<string>(2).fill("rate_limited +wait"),
    ]);
    expect(typing.map(outcome)).toEqual([
      ...Array<string>(3).fill("ok"),
      ...Array<string>(3).fill("rate_limited +wait"),
    ]);
    // A new tab of an early session, on the other instance, reads the mark from the Store at its handshake.
    const tab = openSocketFrom(servers[0]!.url, early[1]!.token, "198.51.100.20");
    sockets.push(tab);
    await waitFor(tab, "session:ready");
    expect(crowdedOn(servers[0]!, early[1]!.id)).toBe(true);
  });

  it("marks a tab whose handshake ran while its address became crowded, once it joins", async () => {
    const person = await from(servers[0]!, "198.51.100.22", "Handshaking");
    // The instance hears of the crowding (as from the claim's serverSideEmit) before this tab has joined
    // its user channel, after its handshake read the session unmarked.
    markCrowdedLocally(servers[1]!.instance.io, [person.id]);
    const tab = openSocketFrom(servers[1]!.url, person.token, "198.51.100.22");
    sockets.push(tab);
    await waitFor(tab, "session:ready");
    expect(crowdedOn(servers[1]!, person.id)).toBe(true);
    expect(crowdedOn(servers[0]!, person.id)).toBe(false);
  });
});

describe("rings of one person per client address (the ring family)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: "loopback", RATE_LIMITS: "ring=2/60" });
  });
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
  });

  it("refuses the third ring of one person from one address's sessions, naming them; another address still rings", async () => {
    const victim = await from(server, "203.0.113.40", "Victim");
    const ringers = [];
    for (let i = 0; i < 3; i++) ringers.push(await from(server, "203.0.113.41", `Ringer${i}`));
    const other = await from(server, "203.0.113.42", "Friend");
    const started = await request(ringers[0]!.socket, "group:start", {});
    const call = (started as unknown as { call: GroupCall }).call;
    for (const person of [...ringers.slice(1), other])
      expect((await request(person.socket, "group:join", { callId: call.id })).ok).toBe(true);
    const rings = [];
    for (const person of ringers) {
      const invited = waitFor(victim.socket, "group:invited");
      const ack = await request(person.socket, "group:invite", { with: victim.id });
      rings.push(ack);
      if (!ack.ok) break;
      await invited;
      expect((await request(victim.socket, "group:decline", { callId: call.id })).ok).toBe(true);
    }
    expect(rings.map(outcome)).toEqual(["ok", "ok", "rate_limited +wait"]);
    const refused = rings[2]!;
    expect(!refused.ok && refused.error.message).toMatch(
      /^Victim has been called from your network too often/,
    );
    expect(outcome(await request(other.socket, "group:invite", { with: victim.id }))).toBe("ok");
  });

  it("refuses the third 1:1 ring (call:invite) of one person from one address, naming them; another address still rings", async () => {
    const victim = await from(server, "203.0.113.50", "Victim2");
    const ringer = await from(server, "203.0.113.51", "Ringer");
    const friend = await from(server, "203.0.113.52", "Friend2");
    const opened = waitFor(victim.socket, "private:opened");
    expect((await request(ringer.socket, "private:open", { with: victim.id })).ok).toBe(true);
    await opened;
    const rings = [];
    for (let i = 0; i < 3; i++) {
      const incoming = waitFor(victim.socket, "call:incoming");
      const ack = await request(ringer.socket, "call:invite", {});
      rings.push(ack);
      if (!ack.ok) break;
      const { call } = await incoming;
      expect((await request(victim.socket, "call:answer", { callId: call.id, accept: false })).ok).toBe(true);
    }
    expect(rings.map(outcome)).toEqual(["ok", "ok", "rate_limited +wait"]);
    const refused = rings[2]!;
    expect(!refused.ok && refused.error.message).toMatch(
      /^Victim2 has been called from your network too often/,
    );
    // Someone from another address, in a chat of their own with the same person, still rings them.
    const closed = waitFor(victim.socket, "private:closed");
    expect((await request(ringer.socket, "private:close", {})).ok).toBe(true);
    await closed;
    const reopened = waitFor(victim.socket, "private:opened");
    expect((await request(friend.socket, "private:open", { with: victim.id })).ok).toBe(true);
    await reopened;
    expect(outcome(await request(friend.socket, "call:invite", {}))).toBe("ok");
  });
});

describe("live sessions per client address (SESSIONS_PER_ADDRESS)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: "loopback", SESSIONS_PER_ADDRESS: "3" });
  });
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
  });

  it("refuses a claim past the cap with 429 and a message; another address claims; a leave frees a place", async () => {
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await from(server, "203.0.113.30", `Holder${i}`));
    const refused = await claimFrom(server, "203.0.113.30", "OneTooMany");
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("too_many_sessions");
    expect(body.error.message).toMatch(/Too many people on your network are in the chat right now \(3\)/);
    expect((await claimFrom(server, "203.0.113.31", "Elsewhere")).status).toBe(201);
    expect((await request(held[0]!.socket, "session:leave", {})).ok).toBe(true);
    expect((await claimFrom(server, "203.0.113.30", "OneTooMany")).status).toBe(201);
  });
});

describe("TURN credentials per client address, against a real coturn at the native cluster's settings", () => {
  let dir: string;
  let coturn: Coturn;
  let server: TestServer;
  // What the cluster's instances derive from its coturn's quotas (coturn.env): half the relay's worth.
  const USERS = Math.floor(TURN_TOTAL_QUOTA / 2 / TURN_USER_QUOTA);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "videochat-address-turn-"));
    coturn = await startCoturn({ dir: path.join(dir, "coturn") });
    server = await startServer({ ...coturn.env, TRUST_PROXY: "loopback", GROUP_CALL_MAX: "20" });
  }, 60_000);
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
    await coturn?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The TURN credential of `socket`'s user; "stun only" when the answer has STUN and no TURN; or the refusal's code. */
  async function credential(socket: ClientSocket) {
    const ack = await request(socket, "call:ice-servers", {});
    if (!ack.ok) return ack.error.code;
    const servers = ack.iceServers as IceServer[];
    const turn = servers.find((entry) => entry.username);
    if (!turn) return servers.length > 0 ? "stun only" : "nothing";
    return { username: turn.username!, credential: turn.credential! };
  }

  /** Allocations coturn grants `turn` until it refuses one (at most `tries`). */
  async function allocateAll(
    turn: { username: string; credential: string },
    tries: number,
    clients: TurnClient[],
  ) {
    let granted = 0;
    for (let i = 0; i < tries; i++) {
      const client = await TurnClient.open("udp", coturn.port, turn);
      clients.push(client);
      if ((await client.allocate()) !== 0) break;
      granted += 1;
    }
    return granted;
  }

  it(`lets ${USERS} users of one address hold credentials, ${USERS} x ${TURN_USER_QUOTA} relays: at most half of ${TURN_TOTAL_QUOTA}; a leaver keeps its place; another address still relays`, async () => {
    expect(loadConfig(coturn.env).ice.turnUsersPerAddress).toBe(USERS);
    const hog = [];
    for (let i = 0; i < USERS + 4; i++) hog.push(await from(server, "198.51.100.66", `Hog${i}`));
    const started = await request(hog[0]!.socket, "group:start", {});
    const call = (started as unknown as { call: GroupCall }).call;
    for (const person of hog.slice(1))
      expect((await request(person.socket, "group:join", { callId: call.id })).ok).toBe(true);
    const answers = [];
    for (const person of hog) answers.push(await credential(person.socket));
    const granted = answers.filter((answer) => typeof answer !== "string");
    expect(granted).toHaveLength(USERS);
    // The rest still get STUN: their calls connect wherever a direct path exists.
    expect(answers.slice(USERS)).toEqual(Array<string>(4).fill("stun only"));
    // A holder asking again (an ICE restart, a renewal) still gets one.
    expect(typeof (await credential(hog[0]!.socket))).toBe("object");
    // A holder who leaves keeps their place until their credential expires: it still works (below).
    expect((await request(hog[3]!.socket, "session:leave", {})).ok).toBe(true);
    expect(await credential(hog[USERS]!.socket)).toBe("stun only");

    const clients: TurnClient[] = [];
    try {
      // All the address can take of coturn, the leaver's credential included: half of it at most.
      let taken = 0;
      for (const turn of granted as { username: string; credential: string }[])
        taken += await allocateAll(turn, TURN_USER_QUOTA + 1, clients);
      expect(taken).toBe(USERS * TURN_USER_QUOTA);
      expect(taken).toBeLessThanOrEqual(TURN_TOTAL_QUOTA / 2);
      console.info(`one address: ${taken} relay allocations of coturn's total-quota ${TURN_TOTAL_QUOTA}`);
      // Someone else, from another address, joins the call and relays.
      const other = await from(server, "198.51.100.67", "Other");
      expect((await request(other.socket, "group:join", { callId: call.id })).ok).toBe(true);
      const theirs = await credential(other.socket);
      expect(typeof theirs).toBe("object");
      expect(await allocateAll(theirs as { username: string; credential: string }, 1, clients)).toBe(1);
    } finally {
      for (const client of clients) client.close();
    }
  }, 120_000);
});

describe("TURN credentials per address under the relay-only policy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      TURN_URLS: "turn:127.0.0.1:3478",
      TURN_SECRET: "test-secret",
      ICE_TRANSPORT_POLICY: "relay",
      TRUST_PROXY: "loopback",
      TURN_USERS_PER_ADDRESS: "1",
      TURN_MAX_ALLOCATE_LIFETIME_S: "600",
    });
  });
  afterAll(() => server?.close());

  it("refuses the next user of the address with relay_busy and the wait: no call could connect without", async () => {
    const first = await from(server, "198.51.100.70", "First");
    const second = await from(server, "198.51.100.70", "Second");
    const started = await request(first.socket, "group:start", {});
    const call = (started as unknown as { call: GroupCall }).call;
    expect((await request(second.socket, "group:join", { callId: call.id })).ok).toBe(true);
    expect((await request(first.socket, "call:ice-servers", {})).ok).toBe(true);
    const refused = await request(second.socket, "call:ice-servers", {});
    expect(outcome(refused)).toBe("relay_busy +wait");
    // The first holder's place is held while its credential lives (TURN_TTL_S, 10 min by default) and an
    // allocation refreshed just before its expiry may live on (coturn's max-allocate-lifetime, 10 min here).
    expect(!refused.ok && refused.error.retryAfterMs).toBeGreaterThan(1_190_000);
    expect(!refused.ok && refused.error.retryAfterMs).toBeLessThanOrEqual(1_200_000);
    expect(!refused.ok && refused.error.message).toMatch(/Too many people on your network/);
  });
});

describe("per-address budget configuration", () => {
  it("sizes each address family as ADDRESS_RATE_SESSIONS sessions' budgets unless RATE_LIMITS sets it", () => {
    const defaults = loadConfig({});
    expect(defaults.rateLimits["room-message-address"]).toEqual({ points: 200, seconds: 10 });
    expect(defaults.rateLimits["private-message-address"]).toEqual({ points: 300, seconds: 10 });
    expect(defaults.rateLimits["presence-address"]).toEqual({ points: 200, seconds: 10 });
    expect(defaults.ice.turnUsersPerAddress).toBe(50);
    expect(defaults.ice.turnTtlSeconds).toBe(600);
    expect(defaults.ice.fileTurnTtlSeconds).toBe(900);
    expect(defaults.addressSessions).toEqual({ max: 1000, crowdedAt: 4 });
    const set = loadConfig({
      MESSAGE_RATE_PER_10S: "7",
      ADDRESS_RATE_SESSIONS: "3",
      RATE_LIMITS: "private-message=10/20,reaction-address=9/5",
      TURN_USERS_PER_ADDRESS: "2",
    });
    expect(set.rateLimits["room-message-address"]).toEqual({ points: 21, seconds: 10 });
    expect(set.rateLimits["private-message-address"]).toEqual({ points: 30, seconds: 20 });
    expect(set.rateLimits["reaction-address"]).toEqual({ points: 9, seconds: 5 });
    expect(set.ice.turnUsersPerAddress).toBe(2);
    expect(() => loadConfig({ TURN_USERS_PER_ADDRESS: "0" })).toThrow(/TURN_USERS_PER_ADDRESS/);
  });
});
