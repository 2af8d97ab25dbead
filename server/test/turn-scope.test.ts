// What one TURN credential can take from the native cluster's coturn (scripts/cluster/coturn.ts, real
// turnserver): a bounded number of relays per user, and relays that reach nothing on the host but other
// relays. The client speaks TURN itself (support/turn-client.ts) to see coturn's exact answers.
import { createServer, type Server } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../scripts/cluster/coturn.js";
import { startRedis, type RedisServer } from "../../scripts/cluster/redis.js";
import { TURN_RELAY_ADDRESS, TURN_USER_QUOTA } from "../../scripts/cluster/turn-peers.js";
import { loadConfig } from "../src/config.js";
import { iceServersFor } from "../src/realtime/ice.js";
import { TurnClient } from "./support/turn-client.js";

let dir: string;
let coturn: Coturn;
let redis: RedisServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "videochat-turn-scope-"));
  [coturn, redis] = await Promise.all([
    startCoturn({ dir: path.join(dir, "coturn") }),
    startRedis({ dataDir: path.join(dir, "redis") }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([coturn?.stop(), redis?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** The credential the server hands `userId`, issued `ageS` seconds ago. */
function credentialOf(userId: string, ageS = 0) {
  const ice = loadConfig({ TURN_URLS: coturn.env.TURN_URLS, TURN_SECRET: coturn.secret }).ice;
  const turn = iceServersFor(userId, ice, Date.now() - ageS * 1000).find((server) => server.username)!;
  return { username: turn.username!, credential: turn.credential! };
}

describe("TURN quotas (coturn user-quota)", () => {
  it("refuses one user's allocations past the quota with 486, the 41st included, while another user allocates", async () => {
    const clients: TurnClient[] = [];
    try {
      const answers: number[] = [];
      for (let i = 0; i < 41; i++) {
        // A fresh credential every few allocations: the quota counts the user, not the username string.
        const client = await TurnClient.open("udp", coturn.port, credentialOf("u-hog", i % 5));
        clients.push(client);
        answers.push(await client.allocate());
      }
      expect(answers.slice(0, TURN_USER_QUOTA)).toEqual(Array<number>(TURN_USER_QUOTA).fill(0));
      expect(answers.slice(TURN_USER_QUOTA)).toEqual(Array<number>(41 - TURN_USER_QUOTA).fill(486));
      expect(answers[40]).toBe(486);
      const other = await TurnClient.open("udp", coturn.port, credentialOf("u-other"));
      clients.push(other);
      expect(await other.allocate()).toBe(0);
    } finally {
      for (const client of clients) client.close();
    }
  });
});

describe("an allocation outlives its credential (coturn's quotas)", () => {
  let small: Coturn;
  beforeAll(async () => {
    small = await startCoturn({ dir: path.join(dir, "coturn-small"), quota: { user: 2, total: 3 } });
  }, 60_000);
  afterAll(() => small?.stop());

  it("keeps an expired credential's allocations in the total: why a holder's place is held past its expiry", async () => {
    const ice = loadConfig({ TURN_URLS: small.env.TURN_URLS, TURN_SECRET: small.secret }).ice;
    /** A credential as the server writes it, expiring `ttlS` seconds (whole) from now. */
    const credential = (userId: string, ttlS: number) => {
      const turn = iceServersFor(userId, ice, Date.now(), ttlS).find((server) => server.username)!;
      return { username: turn.username!, credential: turn.credential! };
    };
    const clients: TurnClient[] = [];
    try {
      const leaver = credential("u-leaver", 2);
      for (let i = 0; i < 2; i++) {
        const client = await TurnClient.open("udp", small.port, leaver);
        clients.push(client);
        expect(await client.allocate()).toBe(0);
      }
      // Once the credential has expired coturn refuses it (401)...
      await expect
        .poll(
          async () => {
            const client = await TurnClient.open("udp", small.port, leaver);
            clients.push(client);
            return client.allocate();
          },
          { timeout: 10_000, interval: 500 },
        )
        .toBe(401);
      // ... but its two allocations still hold their places in the total-quota (3): a fresh user gets one.
      const next = credential("u-next", 600);
      const answers = [];
      for (let i = 0; i < 2; i++) {
        const client = await TurnClient.open("udp", small.port, next);
        clients.push(client);
        answers.push(await client.allocate());
      }
      expect(answers).toEqual([0, 486]);
    } finally {
      for (const client of clients) client.close();
    }
  }, 30_000);
});

describe("TURN relay scope (the cluster's coturn)", () => {
  const servers: Server[] = [];
  /** A TCP service on `host` (an instance stands on 127.0.0.1; the control one on the relay address). */
  async function service(host: string): Promise<number> {
    // coturn resets the relayed connection when the client goes: that is no failure of the test.
    const server = createServer((socket) => socket.on("error", () => {}).end("HTTP/1.1 200 OK\r\n\r\n"));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return (server.address() as { port: number }).port;
  }
  afterAll(() => servers.forEach((server) => server.close()));

  it("over UDP: permits other relays, refuses loopback services and every special-purpose range (403)", async () => {
    const client = await TurnClient.open("udp", coturn.port, credentialOf("u-udp"));
    try {
      expect(await client.allocate()).toBe(0);
      expect(await client.permit(TURN_RELAY_ADDRESS)).toBe(0);
      // The instances, Redis and nginx listen on 127.0.0.1; the rest are special-purpose ranges.
      for (const peer of ["127.0.0.1", "127.0.0.3", "10.0.0.1", "192.168.1.1", "198.18.0.1", "192.0.0.170"]) {
        expect(await client.permit(peer), peer).toBe(403);
      }
    } finally {
      client.close();
    }
  });

  it("over TCP (RFC 6062): connects to a service on the relay address, refuses an instance and Redis (403)", async () => {
    const instancePort = await service("127.0.0.1");
    const controlPort = await service(TURN_RELAY_ADDRESS);
    const redisPort = Number(new URL(redis.url).port);
    const client = await TurnClient.open("tcp", coturn.port, credentialOf("u-tcp"));
    try {
      expect(await client.allocate()).toBe(0);
      // The control: TCP relaying itself works, so a 403 below is the peer rule, not a missing feature.
      expect(await client.connectPeer(TURN_RELAY_ADDRESS, controlPort)).toBe(0);
      expect(await client.connectPeer("127.0.0.1", instancePort)).toBe(403);
      expect(await client.connectPeer("127.0.0.1", redisPort)).toBe(403);
    } finally {
      client.close();
    }
  });
});
