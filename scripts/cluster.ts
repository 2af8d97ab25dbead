// `npm run cluster`: the Docker Compose topology from local binaries (redis-server, nginx, Node, and
// coturn's turnserver when installed), until Ctrl-C. CLUSTER_INSTANCES (default 2) and CLUSTER_PORT
// (default 8080) size and place it.
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

const cluster = await startCluster({
  dir: path.join(root, ".cluster"),
  root: path.join(root, "client/dist"),
  instances: Number(process.env.CLUSTER_INSTANCES ?? 2),
  port: Number(process.env.CLUSTER_PORT ?? 8080),
  entry: "dist",
  turn,
});

console.log(
  `\nVideo chat cluster: ${cluster.instances.length} instances behind nginx, Redis on 127.0.0.1:${cluster.redis.port}`,
);
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
