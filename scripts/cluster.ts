// `npm run cluster`: the Docker Compose topology from local binaries (redis-server, nginx, Node, and
// coturn's turnserver when installed), until Ctrl-C. CLUSTER_INSTANCES (default 2) and CLUSTER_PORT
// (default 8080) size and place it; CLUSTER_REDIS=sentinel runs Redis as a primary, a replica and three
// sentinels (redis-sentinel), which the instances reach through Sentinel.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COTURN_INSTALL, coturnInstalled } from "./cluster/coturn.js";
import { startCluster } from "./cluster/topology.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
for (const built of ["server/dist/index.js", "client/dist/index.html"]) {
  if (!existsSync(path.join(root, built)))
    throw new Error(`${built} is missing: run \`npm run build\` first`);
}

const turn = coturnInstalled();
if (!turn) console.log(`turnserver not found: running without TURN (install it with: ${COTURN_INSTALL})`);

const redisMode = process.env.CLUSTER_REDIS ?? "single";
if (redisMode !== "single" && redisMode !== "sentinel")
  throw new Error(`CLUSTER_REDIS is "single" (the default) or "sentinel", not "${redisMode}"`);

const cluster = await startCluster({
  dir: path.join(root, ".cluster"),
  root: path.join(root, "client/dist"),
  instances: Number(process.env.CLUSTER_INSTANCES ?? 2),
  port: Number(process.env.CLUSTER_PORT ?? 8080),
  entry: "dist",
  turn,
  ...(redisMode === "sentinel" ? { sentinel: {} } : {}),
});

const redisText = cluster.sentinel
  ? `Redis primary and replica on 127.0.0.1:${cluster.sentinel.nodes.map((node) => node.port).join(", ")}, sentinels on ${cluster.sentinel.sentinelPorts.join(", ")} (password in .cluster/redis/sentinel1)`
  : `Redis on 127.0.0.1:${cluster.redis.port}`;
console.log(`\nVideo chat cluster: ${cluster.instances.length} instances behind nginx, ${redisText}`);
for (const instance of cluster.instances) console.log(`  ${instance.id}  ${instance.url}`);
if (cluster.coturn) {
  const { urls, realm } = cluster.coturn;
  console.log(`  coturn  ${urls.join(" ")}  realm ${realm}, use-auth-secret (secret in .cluster/coturn)`);
}
console.log(`\n  Open ${cluster.url.replace("127.0.0.1", "localhost")}   (Ctrl-C stops everything)\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping the cluster…");
    cluster.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
