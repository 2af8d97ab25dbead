// `npm run cluster`: builds, then runs the Docker Compose topology from local binaries (redis-server,
// nginx, Node, coturn's turnserver and Janus when installed) until SIGINT, SIGTERM or SIGHUP, which stop
// every process within 15 s. CLUSTER_INSTANCES (default 2), CLUSTER_PORT (default 8080) and CLUSTER_JANUS
// (Janus nodes: 1 when installed, 2 to try node failover, 0 for a mesh) shape it; CLUSTER_REDIS=sentinel
// runs Redis as a primary, a replica and three sentinels (redis-sentinel), which the instances reach
// through Sentinel. CLUSTER_BUILD=0 skips the build (the tests, which build once); CLUSTER_DIR (default
// .cluster) holds the run's files, each process's log in its logs/ folder.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COTURN_INSTALL, coturnInstalled } from "./cluster/coturn.js";
import { spawnGroup, stopOnSignal, type ProcessGroup } from "./cluster/groups.js";
import { JANUS_INSTALL, janusInstalled } from "./cluster/janus.js";
import { startCluster, type Cluster } from "./cluster/topology.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What a process manager allows after its signal before it kills (systemd and Compose: 10–15 s). */
const STOP_DEADLINE_MS = 14_000;

/** What is running now, for the signal handler. */
const run: { build?: ProcessGroup; starting?: Promise<Cluster>; cluster?: Cluster; stopping?: boolean } = {};
// A signal while the cluster starts waits for it to be up, then stops it: nothing is left half-started.
stopOnSignal(
  async () => {
    run.stopping = true;
    await run.build?.stop(2_000);
    await (await run.starting?.catch(() => undefined))?.stop();
  },
  { deadlineMs: STOP_DEADLINE_MS, kill: () => run.cluster?.kill(), say: (line) => console.log(line) },
);

if (process.env.CLUSTER_BUILD !== "0") {
  run.build = spawnGroup("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if ((await run.build.exited) !== 0) {
    if (run.stopping) await new Promise(() => undefined); // stopped by a signal: stopOnSignal exits
    console.error("npm run build failed");
    process.exit(1);
  }
  delete run.build;
}
for (const built of ["server/dist/index.js", "client/dist/index.html"]) {
  if (!existsSync(path.join(root, built)))
    throw new Error(`${built} is missing: run \`npm run build\` first`);
}

const turn = coturnInstalled();
if (!turn) console.log(`turnserver not found: running without TURN (install it with: ${COTURN_INSTALL})`);

const redisMode = process.env.CLUSTER_REDIS ?? "single";
if (redisMode !== "single" && redisMode !== "sentinel")
  throw new Error(`CLUSTER_REDIS is "single" (the default) or "sentinel", not "${redisMode}"`);
const janus = janusInstalled() ? Number(process.env.CLUSTER_JANUS ?? 1) : 0;
if (!janusInstalled())
  console.log(`janus not found: group calls are a mesh (install it with: ${JANUS_INSTALL})`);

const dir = path.resolve(root, process.env.CLUSTER_DIR ?? ".cluster");
run.starting = startCluster({
  dir,
  logs: path.join(dir, "logs"),
  root: path.join(root, "client/dist"),
  instances: Number(process.env.CLUSTER_INSTANCES ?? 2),
  port: Number(process.env.CLUSTER_PORT ?? 8080),
  entry: "dist",
  turn,
  ...(redisMode === "sentinel" ? { sentinel: {} } : {}),
  janus,
});
const cluster = await run.starting;
run.cluster = cluster;

const redisText = cluster.sentinel
  ? `Redis primary and replica on 127.0.0.1:${cluster.sentinel.nodes.map((node) => node.port).join(", ")}, sentinels on ${cluster.sentinel.sentinelPorts.join(", ")} (password in ${dir}/redis/sentinel1)`
  : `Redis on 127.0.0.1:${cluster.redis.port}`;
console.log(`\nVideo chat cluster: ${cluster.instances.length} instances behind nginx, ${redisText}`);
for (const instance of cluster.instances) console.log(`  ${instance.id}  ${instance.url}`);
if (cluster.coturn) {
  const { urls, realm } = cluster.coturn;
  console.log(`  coturn  ${urls.join(" ")}  realm ${realm}, use-auth-secret (secret in ${dir}/coturn)`);
}
for (const node of cluster.janus?.nodes ?? [])
  console.log(`  janus   ${node.url}  (VideoRoom; secret in ${dir}/janus-*)`);
console.log(
  `  logs    ${dir}/logs/ (instances, redis${cluster.sentinel ? ", sentinels" : ""}${cluster.janus ? ", janus" : ""}), ${dir}/nginx/logs/${cluster.coturn ? `, ${dir}/coturn/` : ""}`,
);
console.log(`\n  Open ${cluster.url.replace("127.0.0.1", "localhost")}   (Ctrl-C stops everything)\n`);
