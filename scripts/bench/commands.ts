// Redis commands per user session: a batch of users claim a name, connect into a room, and leave
// (session:leave). Redis's own counter (INFO stats total_commands_processed, which counts the commands a
// Lua script runs as well) is read around the batch, less what the instances do while idle (heartbeats,
// reapers) over the same time, and divided by the batch. MONITOR splits the figure into commands the
// instances sent (round trips) and commands run inside scripts, per command.
import { populate } from "./population.js";
import { against, measureRow, type Bench, type Row } from "./row.js";
import type { BenchRedis, CommandTally } from "./stack.js";

const ROOM = "CMD";
/** The bench's own INFO reads that land inside a window. */
const OWN_READS = 1;
const SETTLE_MS = 300;

/** Runs `work` and reports what Redis counted meanwhile, and how long it took. */
async function counted(redis: BenchRedis, work: () => Promise<unknown>) {
  const monitor = await redis.monitor();
  const from = await redis.commandsProcessed();
  const started = performance.now();
  await work();
  const total = (await redis.commandsProcessed()) - from - OWN_READS;
  const ms = performance.now() - started;
  return { total, ms, tally: await monitor.stop() };
}

/** (batch − idle × batchMs / idleMs) / sessions, per command, keeping those of 0.05 or more. */
function perSession(
  batch: Record<string, number>,
  idle: Record<string, number>,
  idleShare: number,
  n: number,
) {
  const commands = new Set([...Object.keys(batch), ...Object.keys(idle)]);
  const rows = [...commands]
    .map((command) => [command, ((batch[command] ?? 0) - (idle[command] ?? 0) * idleShare) / n] as const)
    .filter(([, count]) => count >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows.map(([command, count]) => [command, Number(count.toFixed(2))]));
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export async function commandsRow(bench: Bench): Promise<Row> {
  const sessions = bench.quick ? 20 : 200;
  return measureRow(
    bench,
    { id: "redis-commands", scenario: "Redis commands per user session (join + leave)", target: "≤ 12" },
    async () => {
      // What two instances send with nobody joining or leaving, to take off the batch's count.
      const idle = await counted(
        bench.redis,
        () => new Promise((r) => setTimeout(r, bench.quick ? 1000 : 3000)),
      );
      const batch = await counted(bench.redis, async () => {
        const members = await populate(bench, ROOM, sessions, "cmd");
        await Promise.all(
          bench.pool.workers.map((worker) => {
            const handles = members.filter((m) => m.worker === worker).map((m) => m.handle);
            return worker.ask({ op: "leave", handles, concurrency: 16 });
          }),
        );
        // A leaver's disconnect handler (its detach) runs as its socket closes: let the last ones land.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      });
      const share = batch.ms / idle.ms;
      const total = (batch.total - idle.total * share) / sessions;
      const split = (pick: (tally: CommandTally) => Record<string, number>) =>
        perSession(pick(batch.tally), pick(idle.tally), share, sessions);
      const sent = split((tally) => tally.sent);
      const inScripts = split((tally) => tally.inScripts);
      return {
        ours: `${total.toFixed(1)} (${sum(sent).toFixed(1)} sent, ${sum(inScripts).toFixed(1)} inside Lua)`,
        value: total,
        met: against(total, 12),
        details: {
          sessions,
          batchMs: batch.ms,
          idleCommandsPerSecond: (1000 * idle.total) / idle.ms,
          sentPerSession: sent,
          inScriptsPerSession: inScripts,
        },
        units: { name: "session", count: sessions },
      };
    },
  );
}
