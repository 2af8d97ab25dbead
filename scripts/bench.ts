// `npm run bench`: how fast a presence change and a room message reach everyone in a room, on one
// instance (memory store) and on two instances sharing Redis. Prints percentiles; no pass/fail here.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { io as connect, type Socket } from "socket.io-client";
import { startInstance, type InstanceProcess } from "./cluster/instances.js";
import { freePort } from "./cluster/processes.js";
import { startRedis } from "./cluster/redis.js";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

async function session(url: string, name: string): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, room: "GENERAL" }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function members(urls: string[]): Promise<Socket[]> {
  return Promise.all(
    Array.from({ length: MEMBERS }, async (_, i) => {
      const url = urls[i % urls.length]!;
      const socket = connect(url, {
        auth: { token: await session(url, `bench${i}`) },
        transports: ["websocket"],
      });
      await new Promise((resolve) => socket.once("room:state", resolve));
      return socket;
    }),
  );
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

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

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
try {
  // Every member claims its session from 127.0.0.1 and sends as fast as the rounds go.
  const quiet = { LOG_LEVEL: "warn", MESSAGE_RATE_PER_10S: "100000", SESSION_CLAIMS_PER_MIN: "100000" };
  const single = await startInstance({
    id: "bench-memory",
    port: await freePort(),
    env: quiet,
    entry: "src",
  });
  started.push(single);
  await measure("1 instance, memory store", [single.url]);
  for (const id of ["bench-a", "bench-b"]) {
    started.push(
      await startInstance({
        id,
        port: await freePort(),
        env: { ...quiet, REDIS_URL: redis.url },
        entry: "src",
      }),
    );
  }
  await measure("2 instances, Redis", [started[1]!.url, started[2]!.url]);
} finally {
  await Promise.all(started.map((instance) => instance.stop()));
  await redis.stop();
}
