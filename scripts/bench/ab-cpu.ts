// Instances' CPU per room message, two or more builds side by side, interleaved finely: each build gets
// its own Redis and two instances, rooms of the sizes asked for are filled on each, then rounds go
// build by build (the order turning each round) sending `--messages` messages one after the other
// (as the bench's fan-out rows do). CPU is read from /proc/<pid>/task/*/schedstat (every thread,
// nanoseconds), so short stretches count exactly; Redis commands from INFO stats. Prints each round,
// then per room each build's median (min, max) and each build's per-round ratio to the first build.
//
//   npx tsx scripts/bench/ab-cpu.ts --variant main=. --variant base=/tmp/base [--rooms 10,100]
//       [--rounds 8] [--messages 60] [--idle 3] [--profile <dir>] [--env KEY=VALUE]
//
// A build is a checkout with server/dist built (npm run build -w server); `name=root?KEY=VALUE&...`
// gives that build's instances more environment (the same build with a switch set, say). --idle
// measures each build's instances doing nothing for that many seconds per round (% of a core: what a
// message row also pays for every second it lasts). --profile writes a CPU profile of both instances of
// every build for each round's messages (Chrome DevTools opens them).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePort, startProcess, type Managed } from "../cluster/processes.js";
import { Inspector, topFrames } from "./inspector.js";
import { Pool } from "./pool.js";
import { populate, timeBroadcast, type Member } from "./population.js";
import type { Bench } from "./row.js";
import { BenchRedis, type BenchInstance } from "./stack.js";

const { values } = parseArgs({
  options: {
    variant: { type: "string", multiple: true },
    env: { type: "string", multiple: true, default: [] },
    rooms: { type: "string", default: "10,100" },
    rounds: { type: "string", default: "8" },
    messages: { type: "string", default: "60" },
    idle: { type: "string", default: "0" },
    profile: { type: "string" },
  },
});

/** CPU nanoseconds every thread of `pid` has run so far. */
function cpuNs(pid: number): number {
  let sum = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return sum;
}

interface Variant {
  name: string;
  root: string;
  redis: BenchRedis;
  instances: (BenchInstance & Managed)[];
  bench: Bench;
  rooms: Record<string, Member[]>;
}

const sizes = values.rooms.split(",").map(Number);
const rooms = sizes.map((size) => `R${size}`);
const extraEnv = Object.fromEntries(values.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
const GENEROUS = {
  SESSION_CLAIMS_PER_MIN: "10000000",
  SESSIONS_PER_ADDRESS: "10000000",
  ADDRESS_CROWDED_SESSIONS: "10000000",
  RATE_LIMITS: "room-message=10000000/10,presence=10000000/10,session-leave=10000000/10",
};

/** Each build's rooms have their own names: a generator worker tells awaited receivers apart by room. */
const roomName = (variant: string, room: string) => `${variant.toUpperCase()}-${room}`;

async function startVariant(
  name: string,
  root: string,
  pool: Pool,
  started: (BenchInstance & Managed)[],
  env: Record<string, string>,
): Promise<Variant> {
  const redis = await BenchRedis.start();
  const instances = [];
  for (const id of [`${name}1`, `${name}2`]) {
    const port = await freePort();
    const inspectPort = await freePort();
    const managed = await startProcess(
      process.execPath,
      [
        `--inspect=127.0.0.1:${inspectPort}`,
        "--conditions=compiled",
        path.resolve(root, "server/dist/index.js"),
      ],
      {
        name: `instance ${id}`,
        ready: async () => {
          try {
            return (await fetch(`http://127.0.0.1:${port}/api/health`)).status < 500;
          } catch {
            return false;
          }
        },
        env: {
          ...process.env,
          NODE_ENV: "production",
          LOG_LEVEL: "warn",
          HOST: "127.0.0.1",
          REDIS_URL: redis.server.url,
          ...GENEROUS,
          ROOMS: rooms.map((room) => roomName(name, room)).join(","),
          ...extraEnv,
          ...env,
          PORT: String(port),
          INSTANCE_ID: id,
        },
      },
    );
    const instance = {
      ...managed,
      id,
      port,
      url: `http://127.0.0.1:${port}`,
      pid: managed.child.pid!,
      inspectPort,
    };
    instances.push(instance);
    started.push(instance);
  }
  const bench: Bench = { pool, redis, instances, quick: false, resultsDir: "/tmp" };
  console.log(`${name}: instances up, filling ${rooms.join(", ")}`);
  const filled: Record<string, Member[]> = {};
  for (const [i, room] of rooms.entries())
    filled[room] = await populate(bench, roomName(name, room), sizes[i]!, `${name}${room}u`);
  return { name, root, redis, instances, bench, rooms: filled };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const pool = await Pool.start(2);
const started: (BenchInstance & Managed)[] = [];
// Killed however this run ends (a signal included): nothing of it outlives it.
const killAll = () => {
  for (const instance of started) instance.child.kill("SIGKILL");
};
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
const variants: Variant[] = [];
const results: Record<string, Record<string, { cpuMs: number[]; cmds: number[]; p50: number[] }>> = {};
const idle: Record<string, number[]> = {};
try {
  for (const spec of values.variant ?? []) {
    // name=root or name=root?KEY=VALUE&KEY=VALUE (environment for that build's instances only)
    const [name, rest] = spec.split(/=(.*)/s) as [string, string];
    const [root, query] = rest.split("?") as [string, string | undefined];
    const env = Object.fromEntries(new URLSearchParams(query ?? ""));
    variants.push(await startVariant(name, root, pool, started, env));
    results[name] = Object.fromEntries(rooms.map((room) => [room, { cpuMs: [], cmds: [], p50: [] }]));
    idle[name] = [];
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const messages = Number(values.messages);
  const rounds = Number(values.rounds);
  // Warm-up: every build's message path compiled before anything counts.
  for (const variant of variants)
    for (const room of rooms)
      for (let i = 0; i < 20; i++) {
        const sender = variant.rooms[room]![0]!;
        await timeBroadcast(
          variant.bench,
          sender,
          { event: "room:message", text: `warm ${i}` },
          "room:message",
          {
            text: `warm ${i}`,
          },
        );
      }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      for (const room of rooms) {
        const sender = variant.rooms[room]![(round % 3) + 1]!;
        const profiling =
          values.profile === undefined
            ? null
            : await Promise.all(variant.instances.map((i) => Inspector.open(i.inspectPort)));
        if (profiling) await Promise.all(profiling.map((p) => p.startProfile(100)));
        const cmdFrom = await variant.redis.commandsProcessed();
        const from = variant.instances.map((i) => cpuNs(i.pid));
        const lasts: number[] = [];
        const wallFrom = performance.now();
        for (let m = 0; m < messages; m++) {
          const text = `ab ${variant.name} ${room} ${round} ${m}`;
          const reach = await timeBroadcast(
            variant.bench,
            sender,
            { event: "room:message", text },
            "room:message",
            {
              text,
            },
          );
          lasts.push(reach.last);
        }
        const cpu = variant.instances.reduce((sum, inst, i) => sum + cpuNs(inst.pid) - from[i]!, 0);
        const wallMs = (performance.now() - wallFrom) / messages;
        const cmds = (await variant.redis.commandsProcessed()) - cmdFrom - 1; // less the INFO read itself
        if (profiling) {
          mkdirSync(values.profile!, { recursive: true });
          await Promise.all(
            profiling.map(async (p, i) => {
              const profile = await p.stopProfile();
              p.close();
              writeFileSync(
                path.join(values.profile!, `${variant.name}-${room}-r${round}-${i + 1}.cpuprofile`),
                JSON.stringify(profile),
              );
              if (round === 0) console.log(variant.name, room, i + 1, topFrames(profile, 8));
            }),
          );
        }
        const r = results[variant.name]![room]!;
        r.cpuMs.push(cpu / 1e6 / messages);
        r.cmds.push(cmds / messages);
        r.p50.push(median(lasts));
        console.log(
          `round ${round} ${variant.name} ${room}: ${(cpu / 1e6 / messages).toFixed(3)} ms CPU/message, ` +
            `${(cmds / messages).toFixed(2)} cmds/message, wall ${wallMs.toFixed(1)} ms/message, p50 ${median(lasts).toFixed(2)} ms, load ${os.loadavg()[0]!.toFixed(2)}`,
        );
      }
      if (Number(values.idle) > 0) {
        const from = variant.instances.map((i) => cpuNs(i.pid));
        const idleFrom = performance.now();
        await new Promise((resolve) => setTimeout(resolve, Number(values.idle) * 1000));
        const cpu = variant.instances.reduce((sum, inst, i) => sum + cpuNs(inst.pid) - from[i]!, 0);
        idle[variant.name]!.push((100 * cpu) / 1e6 / (performance.now() - idleFrom));
      }
    }
  }
  console.log(
    `\nload ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const summary = (xs: number[]) =>
    `median ${median(xs).toFixed(3)} (min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)})`;
  for (const room of rooms) {
    for (const variant of variants) {
      const r = results[variant.name]![room]!;
      console.log(
        `${room} ${variant.name}: CPU/message ${summary(r.cpuMs)} ms; cmds ${median(r.cmds).toFixed(2)}; p50 ${median(r.p50).toFixed(2)} ms`,
      );
    }
    const [a, ...others] = variants;
    for (const b of others) {
      const ratios = results[b.name]![room]!.cpuMs.map((x, i) => x / results[a!.name]![room]!.cpuMs[i]!);
      console.log(`${room} ${b.name}/${a!.name} per round: ${summary(ratios)}`);
    }
  }
  if (Number(values.idle) > 0)
    for (const variant of variants)
      console.log(`idle ${variant.name}: % of a core ${summary(idle[variant.name]!)}`);
  writeFileSync("/tmp/ab-cpu-last.json", JSON.stringify({ results, idle }, null, 1));
} finally {
  await pool.closeAll().catch(() => undefined);
  await pool.stop();
  for (const variant of variants) {
    await Promise.all(variant.instances.map((i) => i.stop("SIGKILL")));
    await variant.redis.stop();
  }
}
