// The whole cluster from local binaries: Redis (password, loopback), N app instances, nginx in front,
// rendered from the same template the Docker image uses, and coturn when asked. Used by `npm run
// cluster` and the tests.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { startCoturn, type Coturn } from "./coturn.js";
import { startInstance, type InstanceProcess } from "./instances.js";
import { NGINX_PROXY_ADDRESS, startNginx, writeNativeNginxConfig, type NginxProcess } from "./nginx.js";
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
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 2;
  await mkdir(options.dir, { recursive: true });
  const sentinel = options.sentinel
    ? await startSentinelSet({ ...options.sentinel, dir: path.join(options.dir, "redis") })
    : undefined;
  const redis = sentinel?.nodes[0] ?? (await startRedis({ dataDir: path.join(options.dir, "redis") }));
  const redisEnv = sentinel?.env ?? { REDIS_URL: redis.url };
  const stopRedis = () => sentinel?.stop() ?? redis.stop();
  let coturn: Coturn | undefined;
  try {
    if (options.turn) coturn = await startCoturn({ dir: path.join(options.dir, "coturn") });
  } catch (error) {
    await stopRedis();
    throw error;
  }
  const reserved = options.port === undefined ? await reservePort() : undefined;
  const port = options.port ?? reserved!.port;
  // nginx, connecting from its own loopback address, is the instances' one trusted proxy, and its two
  // spellings the only origins.
  const edge = {
    TRUST_PROXY: NGINX_PROXY_ADDRESS,
    PUBLIC_ORIGINS: `http://127.0.0.1:${port},http://localhost:${port}`,
  };
  const instanceEnv = { ...redisEnv, ...edge, ...coturn?.env, ...options.env };
  const started: InstanceProcess[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      started.push(
        await startInstance({
          id: `app${i}`,
          port: await freePort(),
          entry: options.entry ?? "dist",
          env: instanceEnv,
        }),
      );
    }
    const native = await writeNativeNginxConfig({
      dir: path.join(options.dir, "nginx"),
      port,
      upstreams: started.map((instance) => ({ host: "127.0.0.1", port: instance.port })),
      root: options.root,
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
      stop: async () => {
        await nginx.stop();
        await Promise.all(started.map((instance) => instance.stop()));
        await Promise.all([stopRedis(), coturn?.stop()]);
      },
    };
  } catch (error) {
    await reserved?.release();
    await Promise.all(started.map((instance) => instance.stop()));
    await Promise.all([stopRedis(), coturn?.stop()]);
    throw error;
  }
}
