// The sentinels' client-reconfig-script (deploy/redis-ha/reconfig.sh) on real nodes: it moves a replaced
// primary at once, but a sentinel may run it late, after a later switch: then it must leave alone a node
// promoted since, or it would demote the primary a later switch had just made.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/cluster/processes.js";
import { startRedis, type RedisServer } from "../../scripts/cluster/redis.js";
import { eventually } from "./support/cluster.js";

const SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../deploy/redis-ha/reconfig.sh",
);
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

const started: RedisServer[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(started.splice(0).map((node) => node.stop()));
});

async function node(): Promise<{ server: RedisServer; client: Redis }> {
  const server = await startRedis({
    password: PASSWORD,
    args: ["--masterauth", PASSWORD, "--repl-diskless-sync-delay", "0"],
  });
  started.push(server);
  const client = new Redis(server.url);
  clients.push(client);
  return { server, client };
}

const role = async (client: Redis) => /^role:(\w+)/m.exec(await client.info("replication"))?.[1];

/** Runs the script as a sentinel would on +switch-master from `from` to `to`; resolves with its output. */
async function reconfig(fromPort: number, toPort: number): Promise<string> {
  const args = ["videochat", "observer", "start", "127.0.0.1", String(fromPort), "127.0.0.1", String(toPort)];
  const { stdout } = await promisify(execFile)(SCRIPT, args, {
    env: { ...process.env, REDIS_PASSWORD: PASSWORD },
  });
  return stdout.trim();
}

/** `replica` follows `primary`, synced (its replication id is the primary's). */
async function follow(replica: Redis, primary: RedisServer) {
  await replica.call("REPLICAOF", "127.0.0.1", String(primary.port));
  await eventually(
    async () => /master_link_status:up/.test(await replica.info("replication")),
    10_000,
    "the replica is in sync",
  );
}

describe("the sentinels' reconfig script", () => {
  it("makes the replaced primary a replica of the new one and drops its clients", async () => {
    const old = await node();
    const promoted = await node();
    await follow(promoted.client, old.server);
    await promoted.client.call("REPLICAOF", "NO", "ONE");
    const stayer = new Redis(old.server.url);
    clients.push(stayer);
    let closed = false;
    stayer.on("close", () => (closed = true));
    await stayer.ping();

    const output = await reconfig(old.server.port, promoted.server.port);

    expect(output).toMatch(/becomes a replica of/);
    expect(await role(old.client)).toBe("slave");
    await eventually(() => closed, 5_000, "the replaced primary's client was dropped");
  });

  it("leaves alone a node promoted from the new primary since (a late run)", async () => {
    // The event: `first` was replaced by `second`. Since then `first` followed `second` and was promoted.
    const first = await node();
    const second = await node();
    await follow(first.client, second.server);
    await first.client.call("REPLICAOF", "NO", "ONE");

    const output = await reconfig(first.server.port, second.server.port);

    expect(output).toMatch(/left alone: promoted from/);
    expect(await role(first.client)).toBe("master");
  });

  it("leaves alone a replica, a node whose new primary was replaced since, and a dead node", async () => {
    const primary = await node();
    const replica = await node();
    await follow(replica.client, primary.server);
    expect(await reconfig(replica.server.port, primary.server.port)).toMatch(/left alone: not a primary/);
    expect(await reconfig(primary.server.port, replica.server.port)).toMatch(/is not the primary/);
    expect(await role(primary.client)).toBe("master");
    expect(await reconfig(await freePort(), primary.server.port)).toMatch(/left alone: no answer/);
  });
});
