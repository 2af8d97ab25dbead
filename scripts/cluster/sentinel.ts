// A replicated Redis from local binaries: a primary, a replica and three sentinels on loopback, for
// `CLUSTER_REDIS=sentinel npm run cluster` and the failover drill. Every node shares one password.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort, requireBinary, startProcess, type Managed } from "./processes.js";
import { startRedis, type RedisServer } from "./redis.js";

export interface SentinelOptions {
  /** Working directory: one folder per node. */
  dir: string;
  /** The primary's name the sentinels monitor (REDIS_SENTINEL_NAME). */
  name?: string;
  /** How long a node may be silent before a sentinel calls it down (Sentinel's default is 30 s). */
  downAfterMs?: number;
  /** Sentinel's failover-timeout: also the least time between two failovers of the same primary. */
  failoverTimeoutMs?: number;
  /**
   * Replicas beside the primary (default 1). With one, a dead primary leaves no replica to confirm
   * writes until it is back; with two, the sentinels re-point the other at the new primary at once.
   */
  replicas?: number;
}

export interface SentinelSet {
  name: string;
  password: string;
  /** The data nodes, the first primary at the start; which one is primary changes with every failover (see `primary()`). */
  nodes: RedisServer[];
  sentinelPorts: number[];
  /** What an instance needs to reach the set (REDIS_SENTINELS and the settings beside it). */
  env: Record<string, string>;
  /** The data node the sentinels name as primary now. */
  primary(): Promise<RedisServer>;
  /** Runs SENTINEL FAILOVER (a switch with no failure) on the first sentinel. */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

const SENTINEL_INSTALL = "apt-get install -y redis-sentinel (Debian/Ubuntu) or brew install redis (macOS)";

export async function startSentinelSet(options: SentinelOptions): Promise<SentinelSet> {
  requireBinary("redis-sentinel", SENTINEL_INSTALL);
  const name = options.name ?? "videochat";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  // Every node may become a replica (of the other) after a failover: each knows the password.
  const auth = ["--masterauth", password];
  const primary = await startRedis({ password, dataDir: path.join(options.dir, "node1"), args: auth });
  const nodes = [primary];
  const sentinels: Managed[] = [];
  const sentinelPorts: number[] = [];
  const stopAll = async () => {
    await Promise.all(sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 2; i <= 1 + (options.replicas ?? 1); i++) {
      const replica = await startRedis({
        password,
        dataDir: path.join(options.dir, `node${i}`),
        args: [...auth, "--replicaof", "127.0.0.1", String(primary.port)],
      });
      nodes.push(replica);
    }
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const dir = path.join(options.dir, `sentinel${i}`);
      mkdirSync(dir, { recursive: true });
      // Sentinel rewrites its config file as it learns the set: each needs its own, writable.
      const conf = path.join(dir, "sentinel.conf");
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `requirepass ${password}`,
          `sentinel sentinel-pass ${password}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel auth-pass ${name} ${password}`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 5_000}`,
          `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 10_000}`,
          `sentinel parallel-syncs ${name} 1`,
          "",
        ].join("\n"),
      );
      sentinels.push(
        await startProcess("redis-sentinel", [conf], { ready: /Sentinel ID is/, name: `sentinel${i}` }),
      );
      sentinelPorts.push(port);
    }
    for (const replica of nodes.slice(1)) await waitForReplica(primary, replica);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const ask = () => new Redis({ port: sentinelPorts[0], host: "127.0.0.1", password, lazyConnect: true });
  return {
    name,
    password,
    nodes,
    sentinelPorts,
    env: {
      REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(","),
      REDIS_SENTINEL_NAME: name,
      REDIS_PASSWORD: password,
      REDIS_SENTINEL_PASSWORD: password,
    },
    primary: async () => {
      const sentinel = ask();
      try {
        const [, port] = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[];
        const node = nodes.find((candidate) => candidate.port === Number(port));
        if (!node) throw new Error(`the sentinels name an unknown primary on port ${port}`);
        return node;
      } finally {
        sentinel.disconnect();
      }
    },
    failover: async () => {
      const sentinel = ask();
      try {
        await sentinel.call("SENTINEL", "FAILOVER", name);
      } finally {
        sentinel.disconnect();
      }
    },
    stop: stopAll,
  };
}

/** Until the replica has finished its first sync: before that a failover would have nothing to promote. */
async function waitForReplica(primary: RedisServer, replica: RedisServer): Promise<void> {
  const client = new Redis(replica.url);
  try {
    const deadline = Date.now() + 30_000;
    while (!/master_link_status:up/.test(await client.info("replication"))) {
      if (Date.now() > deadline) throw new Error(`the replica never synced from port ${primary.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.disconnect();
  }
}
