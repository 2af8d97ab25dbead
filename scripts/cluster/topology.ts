// The whole cluster from local binaries: Redis (password, loopback), N app instances, nginx in front,
// rendered from the same template the Docker image uses, and coturn when asked. Used by `npm run
// cluster` and the tests.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { startCoturn, type Coturn } from "./coturn.js";
import { startJanusNodes, type JanusNodes } from "./janus.js";
import { startInstance, type InstanceProcess } from "./instances.js";
import {
  NGINX_PROXY_ADDRESS,
  newProxySecret,
  startNginx,
  writeNativeNginxConfig,
  type NginxProcess,
} from "./nginx.js";
import { freePort, reservePort } from "./processes.js";
import { startRedis, type RedisServer } from "./redis.js";
import { startSentinelSet, type SentinelOptions, type SentinelSet } from "./sentinel.js";

export interface ClusterOptions {
  /** Working directory for nginx's config, logs and Redis's data. */
  dir: string;
  /** The built SPA nginx serves. */
  root: string;
  instances?: number;
  /** nginx's port; a free one when omitted. */
  port?: number;
  entry?: "dist" | "src";
  /** Extra environment for every instance (grace period, ring timeout, …). */
  env?: Record<string, string>;
  /** Start coturn (loopback, fresh secret) and give the instances TURN_URLS and TURN_SECRET for it. */
  turn?: boolean;
  /** Redis as a primary, a replica and three sentinels (CLUSTER_REDIS=sentinel), with these timings. */
  sentinel?: Omit<SentinelOptions, "dir">;
  /** Janus nodes to start (docs/sfu.md); the instances get JANUS_URLS and JANUS_API_SECRET for them. */
  janus?: number;
  /** A folder for each process's log (`app1.log`, `redis.log`, …); without one, output stays in memory. */
  logs?: string;
}

export interface Cluster {
  url: string;
  /** The environment every instance started with (to start one again the same way). */
  instanceEnv: Record<string, string>;
  /** The one Redis; with `sentinel`, the node that was primary at the start. */
  redis: RedisServer;
  /** Present when started with `sentinel`. */
  sentinel?: SentinelSet;
  instances: InstanceProcess[];
  nginx: NginxProcess;
  /** Present when started with `turn`. */
  coturn?: Coturn;
  /** Present when started with `janus`. */
  janus?: JanusNodes;
  stop(): Promise<void>;
  /** SIGKILL to every process, for when stop() overran its deadline. */
  kill(): void;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 2;
  await mkdir(options.dir, { recursive: true });
  const { logs } = options;
  const logFile = (name: string) => logs && path.join(logs, `${name}.log`);
  const sentinel = options.sentinel
    ? await startSentinelSet({ ...options.sentinel, dir: path.join(options.dir, "redis"), logs })
    : undefined;
  const redis =
    sentinel?.nodes[0] ??
    (await startRedis({ dataDir: path.join(options.dir, "redis"), logFile: logFile("redis") }));
  const redisEnv = sentinel?.env ?? { REDIS_URL: redis.url };
  const stopRedis = () => sentinel?.stop() ?? redis.stop();
  let coturn: Coturn | undefined;
  let janus: JanusNodes | undefined;
  const stopSides = () => Promise.all([stopRedis(), coturn?.stop(), janus?.stop()]);
  try {
    if (options.turn) coturn = await startCoturn({ dir: path.join(options.dir, "coturn") });
    if (options.janus) janus = await startJanusNodes(options.dir, options.janus, logs);
  } catch (error) {
    await stopSides();
    throw error;
  }
  const reserved = options.port === undefined ? await reservePort() : undefined;
  const port = options.port ?? reserved!.port;
  // nginx, connecting from its own loopback address with a secret only it and the instances know, is
  // the instances' one trusted proxy, and its two spellings the only origins.
  const edge = {
    TRUST_PROXY: NGINX_PROXY_ADDRESS,
    TRUST_PROXY_SECRET: newProxySecret(),
    PUBLIC_ORIGINS: `http://127.0.0.1:${port},http://localhost:${port}`,
  };
  const instanceEnv = { ...redisEnv, ...edge, ...coturn?.env, ...janus?.env, ...options.env };
  const started: InstanceProcess[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      started.push(
        await startInstance({
          id: `app${i}`,
          port: await freePort(),
          entry: options.entry ?? "dist",
          env: instanceEnv,
          logFile: logFile(`app${i}`),
        }),
      );
    }
    const native = await writeNativeNginxConfig({
      dir: path.join(options.dir, "nginx"),
      port,
      upstreams: started.map((instance) => ({ host: "127.0.0.1", port: instance.port })),
      root: options.root,
      proxySecret: instanceEnv.TRUST_PROXY_SECRET,
    });
    await reserved?.release(); // held until now: nginx binds it next
    const nginx = await startNginx(native);
    return {
      url: nginx.url,
      instanceEnv,
      redis,
      sentinel,
      instances: started,
      nginx,
      coturn,
      janus,
      // nginx with the instances, so nobody reaches one for long while it closes; each step is bounded
      // (STOP_GRACE_MS, nginx's own escalation), so the whole stays within the 15 s a process manager allows.
      stop: async () => {
        await Promise.all([nginx.stop(), ...started.map((instance) => instance.stop())]);
        await stopSides();
      },
      kill: () => {
        for (const child of [nginx.child, ...started.map((instance) => instance.child)])
          child.kill("SIGKILL");
        if (sentinel) sentinel.kill();
        else redis.signal("SIGKILL");
        coturn?.child.kill("SIGKILL");
        janus?.kill();
      },
    };
  } catch (error) {
    await reserved?.release();
    await Promise.all(started.map((instance) => instance.stop()));
    await stopSides();
    throw error;
  }
}
