// One fresh in-process server per test, or instances on one Redis per describe block, and users that
// are disconnected after them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { closeAll, join, openSocket, type ClientSocket, type Joined } from "./clients.js";
import type { HandshakeAuth } from "@videochat/protocol";
import { freePort } from "./ports.js";
import { startRedis, type RedisProcess } from "./redis.js";
import { spawnServer, startServer, type ServerProcess, type TestServer } from "./server.js";

export function useServer(env: Record<string, string> = {}) {
  let server: TestServer | undefined;
  const sockets: ClientSocket[] = [];
  beforeEach(async () => {
    server = await startServer(env);
  });
  afterEach(async () => {
    closeAll(...sockets.splice(0));
    await server?.close();
  });
  const current = () => {
    if (!server) throw new Error("no server outside a test");
    return server;
  };
  return {
    get url() {
      return current().url;
    },
    /** The running instance (its Store and Socket.IO server). */
    get instance() {
      return current().instance;
    },
    /** Replaces the running server (e.g. with other settings). */
    restart: async (overrides: Record<string, string>) => {
      await current().close();
      server = await startServer({ ...env, ...overrides });
    },
    /** A user who joined `room` and holds its state; disconnected after the test. */
    enter: async (name: string, room = "GENERAL"): Promise<Joined> => {
      const user = await join(current().url, name, room);
      sockets.push(user.socket);
      return user;
    },
    /** Another connection (tab, reconnect) with a token; disconnected after the test. */
    open: (auth: HandshakeAuth, options?: { transports?: string[]; tab?: string }): ClientSocket => {
      const socket = openSocket(current().url, auth, options);
      sockets.push(socket);
      return socket;
    },
  };
}

/**
 * Instances (one per id, as INSTANCE_ID) sharing one fresh Redis, started once for the describe block
 * and stopped after it, with users that are disconnected then. `enter(i, name, room)` joins through
 * instance `i` (0-based).
 */
export function useInstancesOnRedis(ids: string[], env: Record<string, string> = {}) {
  let redis: RedisProcess | undefined;
  let servers: TestServer[] = [];
  const sockets: ClientSocket[] = [];
  beforeAll(async () => {
    const started = await startRedis();
    redis = started;
    servers = await Promise.all(
      ids.map((id) => startServer({ ...env, REDIS_URL: started.url, INSTANCE_ID: id })),
    );
  });
  afterAll(async () => {
    closeAll(...sockets.splice(0));
    await Promise.all(servers.map((server) => server.close()));
    await redis?.stop();
  });
  return {
    /** A user who joined `room` through instance `i`; disconnected after the block. */
    enter: async (i: number, name: string, room = "GENERAL"): Promise<Joined> => {
      const server = servers[i];
      if (!server) throw new Error(`no instance ${i} outside the block's tests`);
      const user = await join(server.url, name, room);
      sockets.push(user.socket);
      return user;
    },
  };
}

/**
 * Instances as their own processes (one per id, as INSTANCE_ID) on one Redis that keeps its data on
 * disk (AOF), so a test can stop and restart it under them; started once for the file or describe
 * block and stopped after it.
 */
export function useProcessesOnDurableRedis(ids: string[], env: Record<string, string> = {}) {
  let redis: RedisProcess | undefined;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    const started = await startRedis({ dataDir: mkdtempSync(path.join(tmpdir(), "videochat-aof-")) });
    redis = started;
    servers = await Promise.all(
      ids.map(async (id) =>
        spawnServer(await freePort(), { ...env, REDIS_URL: started.url, INSTANCE_ID: id }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.stop();
  });
  return {
    get redis(): RedisProcess {
      if (!redis) throw new Error("no Redis outside the block's tests");
      return redis;
    },
    /** The instances, in the order of `ids`. */
    get servers(): ServerProcess[] {
      return servers;
    },
  };
}
