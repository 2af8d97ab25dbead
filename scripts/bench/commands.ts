// Redis commands per unit of work: idle (per second per instance), per room message, per presence
// change and per user session (claim, join, leave). Redis's own counter (INFO stats
// total_commands_processed, which counts the commands a Lua script runs as well) is read around a
// batch, less what the instances do while idle (heartbeats, reapers) over the same time, and divided by
// the batch. MONITOR splits the figure into commands the instances sent (round trips) and commands run
// inside scripts, per command. Each row runs on the app and on the floor, each on its own Redis.
import { populate, type Member } from "./population.js";
import { against, measureRow, type Bench, type Row } from "./row.js";
import { sideBySide, type Stacks } from "./side-by-side.js";
import type { BenchRedis, CommandTally } from "./stack.js";

/** The rooms these rows use (sessions, messages, presence changes); the app must list them in ROOMS. */
export const COMMAND_ROOMS = ["CMD", "CMDM", "CMDP"];
const ROOM = "CMD";
const inRoom = (stack: "app" | "floor", room: string) => (stack === "app" ? room : `floor-${room}`);
/** The bench's own INFO reads that land inside a window. */
const OWN_READS = 1;
const SETTLE_MS = 300;

interface Counted {
  total: number;
  ms: number;
  tally: CommandTally;
}

/** Runs `work` and reports what Redis counted meanwhile, and how long it took. */
async function counted(redis: BenchRedis, work: () => Promise<unknown>): Promise<Counted> {
  const monitor = await redis.monitor();
  const from = await redis.commandsProcessed();
  const started = performance.now();
  await work();
  const total = (await redis.commandsProcessed()) - from - OWN_READS;
  const ms = performance.now() - started;
  return { total, ms, tally: await monitor.stop() };
}

/** (batch − idle × batchMs / idleMs) / n, per command, keeping those of 0.05 or more. */
function perUnit(batch: Record<string, number>, idle: Record<string, number>, idleShare: number, n: number) {
  const commands = new Set([...Object.keys(batch), ...Object.keys(idle)]);
  const rows = [...commands]
    .map((command) => [command, ((batch[command] ?? 0) - (idle[command] ?? 0) * idleShare) / n] as const)
    .filter(([, count]) => count >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows.map(([command, count]) => [command, Number(count.toFixed(2))]));
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The commands of `batch` per unit, less the idle rate over the batch's time: total, sent, inside Lua. */
function split(batch: Counted, idle: Counted, units: number) {
  const share = batch.ms / idle.ms;
  const total = (batch.total - idle.total * share) / units;
  const sent = perUnit(batch.tally.sent, idle.tally.sent, share, units);
  const inScripts = perUnit(batch.tally.inScripts, idle.tally.inScripts, share, units);
  return {
    ours: `${total.toFixed(1)} (${sum(sent).toFixed(1)} sent, ${sum(inScripts).toFixed(1)} inside Lua)`,
    value: total,
    details: { units, batchMs: batch.ms, sentPerUnit: sent, inScriptsPerUnit: inScripts },
  };
}

/** What the two instances send with nobody acting, to take off a batch's count. */
const idleWindow = (bench: Bench) => counted(bench.redis, () => pause(bench.quick ? 1000 : 5000));

function idleRow(stacks: Stacks): Promise<Row> {
  const scenario = "Redis commands per second per instance, idle";
  return sideBySide(stacks, null, (bench) =>
    measureRow(bench, { id: "redis-idle", scenario, target: "≤ 5" }, async () => {
      const idle = await counted(bench.redis, () => pause(bench.quick ? 1000 : 10_000));
      const perSecond = (n: number) => Number(((1000 * n) / idle.ms / bench.instances.length).toFixed(2));
      const sent = Object.fromEntries(Object.entries(idle.tally.sent).map(([c, n]) => [c, perSecond(n)]));
      const inScripts = Object.fromEntries(
        Object.entries(idle.tally.inScripts).map(([c, n]) => [c, perSecond(n)]),
      );
      const value = perSecond(idle.total);
      return {
        ours: `${value.toFixed(1)} (${sum(sent).toFixed(1)} sent, ${sum(inScripts).toFixed(1)} inside Lua)`,
        value,
        met: against(value, 5),
        details: { seconds: idle.ms / 1000, sentPerUnit: sent, inScriptsPerUnit: inScripts },
      };
    }),
  );
}

/** Members of the room take turns at `event`, each awaiting its ack, `count` times. */
async function turns(members: Member[], count: number, event: string, payload: (i: number) => object) {
  for (let i = 0; i < count; i++) {
    const member = members[i % members.length]!;
    const ack = await member.worker.ask({ op: "ask", handle: member.handle, event, payload: payload(i) });
    if (!ack.ok) throw new Error(`${event} refused: ${ack.code}`);
  }
}

/** Commands per act of `event` in a room of 10 (each member alternately), beside the floor's. */
function actRow(
  stacks: Stacks,
  room: string,
  id: string,
  scenario: string,
  target: number,
  event: string,
  payload: (i: number) => object,
) {
  return sideBySide(stacks, null, async (bench, stack) => {
    const members = await populate(bench, inRoom(stack, room), 10, `c${stack}${id.length}u`);
    const row = await measureRow(bench, { id, scenario, target: `≤ ${target}` }, async () => {
      const acts = bench.quick ? 20 : 200;
      const idle = await idleWindow(bench);
      const batch = await counted(bench.redis, () => turns(members, acts, event, payload));
      const outcome = split(batch, idle, acts);
      // No CPU per act here: the idle window is inside the row. The fan-out rows give CPU per message.
      return { ...outcome, met: against(outcome.value, target) };
    });
    await leave(bench, members);
    return row;
  });
}

async function leave(bench: Bench, members: Member[]): Promise<void> {
  await Promise.all(
    bench.pool.workers.map((worker) => {
      const handles = members.filter((m) => m.worker === worker).map((m) => m.handle);
      return worker.ask({ op: "leave", handles, concurrency: 16 });
    }),
  );
  // A leaver's disconnect handler (its detach) runs as its socket closes: let the last ones land.
  await pause(SETTLE_MS);
}

function sessionRow(stacks: Stacks): Promise<Row> {
  const scenario = "Redis commands per user session (claim, join, leave)";
  return sideBySide(stacks, null, (bench, stack) =>
    measureRow(bench, { id: "redis-commands", scenario, target: "≤ 12" }, async () => {
      const sessions = bench.quick ? 20 : 200;
      const idle = await idleWindow(bench);
      const batch = await counted(bench.redis, async () =>
        leave(bench, await populate(bench, inRoom(stack, ROOM), sessions, `cmd${stack}`)),
      );
      const outcome = split(batch, idle, sessions);
      return { ...outcome, met: against(outcome.value, 12), units: { name: "session", count: sessions } };
    }),
  );
}

/** The command rows, app and floor side by side. */
export async function commandRows(stacks: Stacks): Promise<Row[]> {
  return [
    await idleRow(stacks),
    await actRow(
      stacks,
      "CMDM",
      "redis-message",
      "Redis commands per room message, room of 10",
      3,
      "room:message",
      (i) => ({
        text: `counted ${i}`,
      }),
    ),
    await actRow(
      stacks,
      "CMDP",
      "redis-presence",
      "Redis commands per presence change, room of 10",
      5,
      "presence:set",
      (i) => ({
        status: i % 2 === 0 ? "absent" : "online",
      }),
    ),
    await sessionRow(stacks),
  ];
}
