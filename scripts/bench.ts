// `npm run bench`: how fast a presence change and a room message reach everyone in a room, and how a
// flood by one user (under the default limits) changes others' ack latency, on one instance (memory
// store) and on two instances sharing Redis. Prints percentiles; no pass/fail here.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Socket } from "socket.io-client";
import { measureFlood } from "./bench/flood.js";
import { connectMembers, percentile } from "./bench/members.js";
import { startInstance, type InstanceProcess } from "./cluster/instances.js";
import { freePort } from "./cluster/processes.js";
import { startRedis } from "./cluster/redis.js";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

async function members(urls: string[]): Promise<Socket[]> {
  return (await connectMembers(urls, MEMBERS, "bench")).map((member) => member.socket);
}

/** Milliseconds from the emit until the last of the other members received the event. */
async function fanOut(sockets: Socket[], event: string, send: (round: number) => void, round: number) {
  const others = sockets.slice(1);
  const started = performance.now();
  const arrivals = others.map(
    (socket) =>
      new Promise<number>((resolve) => socket.once(event, () => resolve(performance.now() - started))),
  );
  send(round);
  const times = await Promise.all(arrivals);
  return Math.max(...times);
}

async function measure(label: string, urls: string[]) {
  const sockets = await members(urls);
  const sender = sockets[0]!;
  const presence: number[] = [];
  const messages: number[] = [];
  const statuses = ["absent", "online"];
  for (let round = 0; round < ROUNDS; round++) {
    presence.push(
      await fanOut(
        sockets,
        "room:member-updated",
        (r) => sender.emit("presence:set", { status: statuses[r % 2] }, () => {}),
        round,
      ),
    );
    messages.push(
      await fanOut(
        sockets,
        "room:message",
        (r) => sender.emit("room:message", { text: `bench ${r}` }, () => {}),
        round,
      ),
    );
  }
  for (const socket of sockets) socket.disconnect();
  const line = (what: string, values: number[]) =>
    `${label.padEnd(26)} ${what.padEnd(16)} p50 ${percentile(values, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(values, 95).toFixed(1).padStart(6)} ms  max ${Math.max(
      ...values,
    )
      .toFixed(1)
      .padStart(6)} ms`;
  console.log(line("presence change", presence));
  console.log(line("room message", messages));
}

console.log(`${MEMBERS} members in one room, ${ROUNDS} rounds; time until the LAST member has the event\n`);
const started: InstanceProcess[] = [];
const redis = await startRedis({ dataDir: mkdtempSync(path.join(tmpdir(), "videochat-bench-")) });
async function instances(prefix: string, count: number, env: Record<string, string>): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const instance = await startInstance({ id: `${prefix}-${i}`, port: await freePort(), env, entry: "src" });
    started.push(instance);
    urls.push(instance.url);
  }
  return urls;
}
try {
  // The fan-out rows send faster than the default limits allow; the flood rows use the defaults.
  // Every member claims its session from 127.0.0.1: the per-address claim limit is lifted throughout.
  const claims = { SESSION_CLAIMS_PER_MIN: "100000" };
  const unlimited = {
    LOG_LEVEL: "warn",
    ...claims,
    RATE_LIMITS: "room-message=100000/10,presence=100000/10",
  };
  const redisEnv = { REDIS_URL: redis.url };
  await measure("1 instance, memory store", await instances("bench-memory", 1, unlimited));
  await measure("2 instances, Redis", await instances("bench", 2, { ...unlimited, ...redisEnv }));
  console.log(
    `\nOne member floods private messages in a room of 100; 20 others send a room message a second\n`,
  );
  await measureFlood(
    "1 instance, memory store",
    await instances("flood-memory", 1, { LOG_LEVEL: "warn", ...claims }),
  );
  const floodEnv = { LOG_LEVEL: "warn", REDIS_PREFIX: "flood", ...claims, ...redisEnv };
  await measureFlood("2 instances, Redis", await instances("flood", 2, floodEnv));
} finally {
  await Promise.all(started.map((instance) => instance.stop()));
  await redis.stop();
}
