// The whole cluster from local binaries: Redis (password, loopback), N app instances, nginx in front,
// rendered from the same template the Docker image uses, and coturn when asked. Used by `npm run
// cluster` and the tests.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { startCoturn, type Coturn } from "./coturn.js";
import { startInstance, type InstanceProcess } from "./instances.js";
import { startNginx, writeNativeNginxConfig, type NginxProcess } from "./nginx.js";
import { freePort, reservePort } from "./processes.js";
import { startRedis, type RedisServer } from "./redis.js";

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
  /** A folder for each process's log (`app1.log`, `redis.log`); without one, output stays in memory. */
  logs?: string;
}

export interface Cluster {
  url: string;
  /** The environment every instance started with (to start one again the same way). */
  instanceEnv: Record<string, string>;
  redis: RedisServer;
  instances: InstanceProcess[];
  nginx: NginxProcess;
  /** Present when started with `turn`. */
  coturn?: Coturn;
  stop(): Promise<void>;
  /** SIGKILL to every process, for when stop() overran its deadline. */
  kill(): void;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 2;
  await mkdir(options.dir, { recursive: true });
  const logFile = (name: string) => options.logs && path.join(options.logs, `${name}.log`);
  const redis = await startRedis({ dataDir: path.join(options.dir, "redis"), logFile: logFile("redis") });
  let coturn: Coturn | undefined;
  try {
    if (options.turn) coturn = await startCoturn({ dir: path.join(options.dir, "coturn") });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const reserved = options.port === undefined ? await reservePort() : undefined;
  const port = options.port ?? reserved!.port;
  // nginx on loopback is the instances' one trusted proxy, and its two spellings the only origins.
  const edge = {
    TRUST_PROXY: "loopback",
    PUBLIC_ORIGINS: `http://127.0.0.1:${port},http://localhost:${port}`,
  };
  const instanceEnv = { REDIS_URL: redis.url, ...edge, ...coturn?.env, ...options.env };
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
    });
    await reserved?.release(); // held until now: nginx binds it next
    const nginx = await startNginx(native);
    return {
      url: nginx.url,
      instanceEnv,
      redis,
      instances: started,
      nginx,
      coturn,
      // nginx first, so nobody reaches an instance while it closes; each step is bounded (STOP_GRACE_MS,
      // nginx's own escalation), so the whole stays within the 15 s a process manager allows.
      stop: async () => {
        await Promise.all([nginx.stop(), ...started.map((instance) => instance.stop())]);
        await Promise.all([redis.stop(), coturn?.stop()]);
      },
      kill: () => {
        for (const child of [nginx.child, ...started.map((instance) => instance.child)])
          child.kill("SIGKILL");
        redis.signal("SIGKILL");
        coturn?.child.kill("SIGKILL");
      },
    };
  } catch (error) {
    await reserved?.release();
    await Promise.all(started.map((instance) => instance.stop()));
    await Promise.all([redis.stop(), coturn?.stop()]);
    throw error;
  }
}
