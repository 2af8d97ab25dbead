// A replicated Redis from local binaries: a primary, a replica and three sentinels on loopback, for
// `CLUSTER_REDIS=sentinel npm run cluster` and the failover drill. Every node shares one password.
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
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
  /** More redis-server options for every data node, e.g. `--min-replicas-to-write 1`. */
  nodeArgs?: string[];
  /** A folder for each process's log (`redis-node1.log`, `sentinel1.log`); without one, output stays in memory. */
  logs?: string;
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
  /**
   * Runs SENTINEL FAILOVER (a switch with no failure) on the first sentinel, once every sentinel names
   * the same primary with no failover in progress and they know a replica in sync (within 30 s).
   * Resolves with the primary that sentinel named when it took the command: the node being replaced.
   */
  failover(): Promise<RedisServer>;
  stop(): Promise<void>;
  /** SIGKILL to every node and sentinel, for when stop() overran its deadline. */
  kill(): void;
}

/** How long failover() waits for a failover in progress to finish before it gives up. */
const FAILOVER_WAIT_MS = 30_000;

/**
 * Every sentinel's client-reconfig-script, as in Compose: at +switch-master it makes the replaced primary a
 * replica of the new one and drops its clients at once (the sentinels do it only 8-18 s later; meanwhile
 * the adapter's connections left on it split the instances' broadcasts), unless the event is stale by
 * the time the sentinel runs it. The script says why and how.
 */
const RECONFIG_SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../deploy/redis-ha/reconfig.sh",
);

const SENTINEL_INSTALL = "apt-get install -y redis-sentinel (Debian/Ubuntu) or brew install redis (macOS)";

export async function startSentinelSet(options: SentinelOptions): Promise<SentinelSet> {
  requireBinary("redis-sentinel", SENTINEL_INSTALL);
  const name = options.name ?? "videochat";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  // Every node may become a replica (of the other) after a failover: each knows the password.
  // A replica that must resync in full after a switch (it had the old primary's writes past the point
  // the new one was promoted at) would otherwise wait repl-diskless-sync-delay (5 s) for company, with
  // no replica to confirm writes meanwhile: the longest pause in the drill's SENTINEL FAILOVER.
  const auth = ["--masterauth", password, "--repl-diskless-sync-delay", "0", ...(options.nodeArgs ?? [])];
  const logFile = (name: string) => options.logs && path.join(options.logs, `${name}.log`);
  const primary = await startRedis({
    password,
    dataDir: path.join(options.dir, "node1"),
    args: auth,
    logFile: logFile("redis-node1"),
  });
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
        logFile: logFile(`redis-node${i}`),
      });
      nodes.push(replica);
    }
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const dir = path.join(options.dir, `sentinel${i}`);
      mkdirSync(dir, { recursive: true });
      // Sentinel rewrites its config file as it learns the set: each needs its own, writable.
      const conf = path.join(dir, "sentinel.conf");
      const reconfig = path.join(dir, "reconfig.sh");
      copyFileSync(RECONFIG_SCRIPT, reconfig);
      chmodSync(reconfig, 0o700);
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
          `sentinel client-reconfig-script ${name} ${reconfig}`,
          "",
        ].join("\n"),
      );
      sentinels.push(
        await startProcess("redis-sentinel", [conf], {
          // The reconfig script reaches the data nodes with it.
          env: { ...process.env, REDIS_PASSWORD: password },
          ready: /Sentinel ID is/,
          name: `sentinel${i}`,
          logFile: logFile(`sentinel${i}`),
        }),
      );
      sentinelPorts.push(port);
    }
    for (const replica of nodes.slice(1)) await waitForReplica(primary, replica);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const ask = () => new Redis({ port: sentinelPorts[0], host: "127.0.0.1", password, lazyConnect: true });
  /** True when every sentinel names the same primary and none has a failover of it in progress. */
  const settled = async (): Promise<boolean> => {
    const views = await Promise.all(
      sentinelPorts.map(async (port) => {
        const sentinel = new Redis({ port, host: "127.0.0.1", password, lazyConnect: true });
        try {
          const fields = (await sentinel.call("SENTINEL", "MASTER", name)) as string[];
          const record = new Map<string, string>();
          for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i]!, fields[i + 1]!);
          const busy = (record.get("flags") ?? "").split(",").includes("failover_in_progress");
          return busy ? null : `${record.get("ip")}:${record.get("port")}`;
        } catch {
          return null;
        } finally {
          sentinel.disconnect();
        }
      }),
    );
    return views.every((view) => view !== null && view === views[0]);
  };
  /** The data node at the address a sentinel answered GET-MASTER-ADDR-BY-NAME with. */
  const node = (answer: unknown) => {
    const [, port] = answer as string[];
    const found = nodes.find((candidate) => candidate.port === Number(port));
    if (!found) throw new Error(`the sentinels name an unknown primary on port ${port}`);
    return found;
  };
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
        return node(await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name));
      } finally {
        sentinel.disconnect();
      }
    },
    failover: async () => {
      const sentinel = ask();
      const deadline = Date.now() + FAILOVER_WAIT_MS;
      try {
        for (;;) {
          // Only once every sentinel is done with the last switch: the first sentinel refuses (INPROG) only
          // its own failover in progress. Forced while another sentinel still reconfigured the replicas
          // after the kill, the two failovers overlapped (that one re-pointed the node this one had just
          // promoted) and acked writes were lost.
          if (!(await settled())) {
            if (Date.now() > deadline) throw new Error("the sentinels did not settle on one primary");
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
          }
          // One pipeline: the sentinel answers both from one read, with no failover step between them.
          const [[, named], [error]] = (await sentinel
            .pipeline()
            .call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
            .call("SENTINEL", "FAILOVER", name)
            .exec()) as [[Error | null, unknown], [Error | null, unknown]];
          if (!error) return node(named);
          // INPROG: the previous failover still reconfigures its replicas (up to failover-timeout, longer
          // on a busy machine). NOGOODSLAVE: the sentinels have not yet seen a replica in sync with the
          // current primary (they read each replica's INFO every few seconds, after the primary has it).
          // Either way Sentinel takes the switch once its view has caught up.
          if (!/INPROG|NOGOODSLAVE/.test(String(error)) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        sentinel.disconnect();
      }
    },
    stop: stopAll,
    kill: () => {
      for (const sentinel of sentinels) sentinel.child.kill("SIGKILL");
      for (const node of nodes) node.signal("SIGKILL");
    },
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
