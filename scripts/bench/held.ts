// Many small rooms. The held row: arrivals at 100/s into rooms of 10 until 10,000 users are held or the
// join p95 of the last five seconds passes 500 ms. The memory row: both instances' RSS after a full GC
// with 5,000 users connected, less the same with none, per user; taken when the ramp passes 5,000
// (arrivals pause meanwhile), or, if the ramp stopped before, after topping up to 5,000.
import { Inspector } from "./inspector.js";
import { place, populate, warmUp } from "./population.js";
import { against, measureRow, ms, percentile, spread, type Bench, type Row } from "./row.js";
import { rssBytes, type BenchInstance } from "./stack.js";

const ROOM_SIZE = 10;
const TARGET_USERS = 10_000;
const MEMORY_USERS = 5_000;
/** Where the instances warm up before the ramp. */
const WARM_ROOM = "WARM";
/** Enough rooms of 10 for the full run's 10,000 users, and the warm-up room. */
export const HELD_ROOMS = [
  ...Array.from({ length: TARGET_USERS / ROOM_SIZE }, (_, i) => `H${String(i).padStart(4, "0")}`),
  WARM_ROOM,
];
const roomOf = (i: number) => HELD_ROOMS[Math.floor(i / ROOM_SIZE) % (TARGET_USERS / ROOM_SIZE)]!;

const RATE = 100;
const LIMIT_MS = 500;
const WINDOW_MS = 5000;
/** The longest the top-up to 5,000 users may take when the ramp stopped early. */
const TOP_UP_MS = 90_000;

interface Memory {
  users: number;
  rss: number;
  heapUsed: number;
}

/** Both instances' RSS and V8 heap after a full GC, bytes. */
async function memory(instances: BenchInstance[], users: number): Promise<Memory> {
  let rss = 0;
  let heapUsed = 0;
  for (const instance of instances) {
    const inspector = await Inspector.open(instance.inspectPort);
    await inspector.collectGarbage();
    heapUsed += (await inspector.memoryUsage()).heapUsed;
    rss += rssBytes(instance.pid);
    inspector.close();
  }
  return { users, rss, heapUsed };
}

interface Arrival {
  at: number;
  ms?: number;
}

/** The join p95 over arrivals that started in the last window; one still pending counts as its age so far. */
function windowP95(arrivals: Arrival[], now: number): number {
  const recent = arrivals.filter((arrival) => arrival.at >= now - WINDOW_MS && arrival.at <= now - LIMIT_MS);
  return percentile(
    recent.map((arrival) => arrival.ms ?? now - arrival.at),
    95,
  );
}

/** Arrivals at RATE up to `cap`; calls `snapshot` once `snapshotAt` users are in (arrivals wait meanwhile). */
async function ramp(bench: Bench, cap: number, snapshotAt: number, snapshot: () => Promise<void>) {
  const arrivals: Arrival[] = [];
  let pending: Promise<void>[] = [];
  let started = performance.now();
  let held = 0;
  let worst = 0;
  for (let i = 0; i < cap; i++) {
    if (i === snapshotAt) {
      await Promise.all(pending);
      pending = [];
      await snapshot();
      started = performance.now() - (i * 1000) / RATE;
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, started + (i * 1000) / RATE - performance.now())),
    );
    const p95 = windowP95(arrivals, performance.now());
    worst = Math.max(worst, p95 || 0);
    if (p95 > LIMIT_MS) {
      const heldThen = held;
      await Promise.all(pending);
      return { held: heldThen, joined: held, crossed: true, worst, arrivals };
    }
    const { spec, worker } = place(bench, i, roomOf(i), "held");
    if (bench.watchEvery && i % bench.watchEvery === 0) spec.watch = true;
    const arrival: Arrival = { at: performance.now() };
    arrivals.push(arrival);
    pending.push(
      worker.ask({ op: "joinOne", user: spec }).then(
        (joined) => {
          arrival.ms = joined.ms;
          held += 1;
        },
        () => void (arrival.ms = Infinity),
      ),
    );
  }
  await Promise.all(pending);
  return { held, joined: held, crossed: false, worst, arrivals };
}

/** The held row, then the memory row (both on the same users). */
export async function heldRows(bench: Bench): Promise<Row[]> {
  const memoryAt = bench.quick ? 100 : MEMORY_USERS;
  const cap = bench.quick ? 200 : TARGET_USERS;
  await warmUp(bench, WARM_ROOM, bench.quick ? 20 : 200);
  const empty = await memory(bench.instances, 0);
  let loaded: Memory | undefined;
  /** Users connected after the ramp, and arrivals it made (which fix the next user's room). */
  let joined = 0;
  let arrived = 0;
  const count = (n: number) => n.toLocaleString("en-US");

  const heldRow = await measureRow(
    bench,
    {
      id: "held",
      scenario: `rooms of 10 users, ${RATE} arrivals/s: users held`,
      target: "10,000 at join p95 ≤ 500 ms",
    },
    async () => {
      const result = await ramp(
        bench,
        cap,
        memoryAt,
        async () => void (loaded = await memory(bench.instances, memoryAt)),
      );
      joined = result.joined;
      arrived = result.arrivals.length;
      const all = result.arrivals.map((arrival) => arrival.ms ?? Infinity);
      return {
        ours: result.crossed
          ? `${count(result.held)} (5 s p95 passed 500 ms)`
          : `${count(result.held)} (cap), worst 5 s p95 ${ms(result.worst)}`,
        value: result.held,
        met: !result.crossed && result.held >= TARGET_USERS ? "yes" : "no",
        details: { cap, ...spread(all) },
        units: { name: "join", count: all.length },
      };
    },
  );

  const memoryRow = await measureRow(
    bench,
    {
      id: "memory",
      scenario: `memory per connected user (RSS after full GC, ${count(memoryAt)} users)`,
      target: "≤ 16 KB",
    },
    async () => {
      if (!loaded) {
        const stopAt = Date.now() + TOP_UP_MS;
        const more = memoryAt - joined;
        const topUp = await populate(bench, "", more, "mem", { rooms: roomOf, first: arrived, stopAt });
        loaded = await memory(bench.instances, joined + topUp.length);
      }
      const perUserKb = (loaded.rss - empty.rss) / loaded.users / 1024;
      return {
        ours: `${perUserKb.toFixed(1)} KB${loaded.users < memoryAt ? ` (${count(loaded.users)} users)` : ""}`,
        value: perUserKb,
        met: against(perUserKb, 16),
        details: {
          users: loaded.users,
          rssEmptyMb: empty.rss / 2 ** 20,
          rssLoadedMb: loaded.rss / 2 ** 20,
          heapPerUserKb: (loaded.heapUsed - empty.heapUsed) / loaded.users / 1024,
        },
      };
    },
  );
  return [heldRow, memoryRow];
}
