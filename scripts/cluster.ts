// `npm run cluster`: builds, then runs the Docker Compose topology from local binaries (redis-server,
// nginx, Node, and coturn's turnserver when installed) until SIGINT, SIGTERM or SIGHUP, which stop every
// process within 15 s. CLUSTER_INSTANCES (default 2) and CLUSTER_PORT (default 8080) size and place it;
// CLUSTER_BUILD=0 skips the build (the tests, which build once); CLUSTER_DIR (default .cluster) holds
// the run's files, each process's log in its logs/ folder.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COTURN_INSTALL, coturnInstalled } from "./cluster/coturn.js";
import { spawnGroup, stopOnSignal, type ProcessGroup } from "./cluster/groups.js";
import { startCluster, type Cluster } from "./cluster/topology.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What a process manager allows after its signal before it kills (systemd and Compose: 10–15 s). */
const STOP_DEADLINE_MS = 14_000;

/** What is running now, for the signal handler. */
const run: { build?: ProcessGroup; starting?: Promise<Cluster>; cluster?: Cluster } = {};
// A signal while the cluster starts waits for it to be up, then stops it: nothing is left half-started.
stopOnSignal(
  async () => {
    await run.build?.stop(2_000);
    await (await run.starting?.catch(() => undefined))?.stop();
  },
  { deadlineMs: STOP_DEADLINE_MS, kill: () => run.cluster?.kill(), say: (line) => console.log(line) },
);

if (process.env.CLUSTER_BUILD !== "0") {
  run.build = spawnGroup("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if ((await run.build.exited) !== 0) {
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

const dir = path.resolve(root, process.env.CLUSTER_DIR ?? ".cluster");
run.starting = startCluster({
  dir,
  logs: path.join(dir, "logs"),
  root: path.join(root, "client/dist"),
  instances: Number(process.env.CLUSTER_INSTANCES ?? 2),
  port: Number(process.env.CLUSTER_PORT ?? 8080),
  entry: "dist",
  turn,
});
const cluster = await run.starting;
run.cluster = cluster;

console.log(
  `\nVideo chat cluster: ${cluster.instances.length} instances behind nginx, Redis on 127.0.0.1:${cluster.redis.port}`,
);
for (const instance of cluster.instances) console.log(`  ${instance.id}  ${instance.url}`);
if (cluster.coturn) {
  const { urls, realm } = cluster.coturn;
  console.log(`  coturn  ${urls.join(" ")}  realm ${realm}, use-auth-secret (secret in ${dir}/coturn)`);
}
console.log(`  logs    ${dir}/logs/ (instances, redis), ${dir}/nginx/logs/, ${dir}/coturn/`);
console.log(`\n  Open ${cluster.url.replace("127.0.0.1", "localhost")}   (Ctrl-C stops everything)\n`);
