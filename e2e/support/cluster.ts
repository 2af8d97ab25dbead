// The built app as it is deployed: Redis, N instances of the real server entrypoint and nginx serving
// client/dist in front (scripts/cluster), in a throw-away directory, seen by a test as one App.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { HealthResponse } from "@videochat/protocol";
import { startCluster, type Cluster } from "../../scripts/cluster/topology.js";
import { repoRoot, requireBuild, type App } from "./app.js";

/** Lines of each log kept for a failure message: the end of a run is what explains it. */
const OUTPUT_TAIL_LINES = 60;
/** Consistent hashing over two instances puts about half of all ids on each: 64 tries never all miss. */
const TAB_ATTEMPTS = 64;

export interface ClusterApp extends App {
  cluster: Cluster;
  /** SIGKILLs one instance (`app1`, `app2`, …) and waits until it has exited. */
  kill(instanceId: string): Promise<void>;
  /** A tab id that nginx sends to `instanceId`, found by asking /api/health through nginx. */
  tabOn(instanceId: string, prefix: string): Promise<string>;
}

const tail = (text: string) => text.trimEnd().split("\n").slice(-OUTPUT_TAIL_LINES).join("\n");
const readLog = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

/**
 * Starts the cluster from server/dist and client/dist; `env` goes to every instance. With `turn`, a
 * real coturn runs beside it (fails with what to install when turnserver is missing); with `janus`, that
 * many Janus nodes, and group calls go through the SFU.
 */
export async function startClusterApp(
  count: number,
  env: Record<string, string> = {},
  { turn = false, janus }: { turn?: boolean; janus?: number } = {},
): Promise<ClusterApp> {
  requireBuild();
  const dir = mkdtempSync(path.join(tmpdir(), "videochat-e2e-cluster-"));
  chmodSync(dir, 0o755); // nginx's workers run as nobody when the tests run as root
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      dir,
      root: path.join(repoRoot, "client/dist"),
      instances: count,
      entry: "dist",
      // Every browser of a test joins from 127.0.0.1.
      env: { LOG_LEVEL: "info", SESSION_CLAIMS_PER_MIN: "10000", ...env },
      turn,
      // Janus nodes (docs/sfu.md): group calls then go through the SFU.
      ...(janus ? { janus } : {}),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const instance = (id: string) => {
    const found = cluster.instances.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no instance ${id} in the cluster`);
    return found;
  };

  return {
    url: cluster.url,
    cluster,
    output: () =>
      [
        ...cluster.instances.map((app) => `[${app.id}]\n${tail(app.output())}`),
        `[nginx error.log]\n${tail(readLog(path.join(dir, "nginx/logs/error.log")))}`,
        `[nginx access.log]\n${tail(readLog(path.join(dir, "nginx/logs/access.log")))}`,
        ...(cluster.coturn ? [`[coturn]\n${tail(cluster.coturn.log())}`] : []),
      ].join("\n"),
    stop: async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: (id) => instance(id).stop("SIGKILL"),
    tabOn: async (id, prefix) => {
      instance(id);
      for (let attempt = 0; attempt < TAB_ATTEMPTS; attempt++) {
        const tab = `${prefix}-${attempt}-${Math.random().toString(36).slice(2, 10)}`;
        const response = await fetch(`${cluster.url}/api/health?tab=${tab}`);
        const health = (await response.json()) as HealthResponse;
        if (health.instanceId === id) return tab;
      }
      throw new Error(`no tab id of ${TAB_ATTEMPTS} tried reached ${id} through nginx`);
    },
  };
}
