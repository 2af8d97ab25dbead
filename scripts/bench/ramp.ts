// One room, a steady stream of arrivals: how many users the room holds when the p95 of a join (claim
// until the joiner has `room:state`) passes 1 s. A ramp at 10 arrivals/s to 3,000 users would take five
// minutes, so the room is filled in steps and, at each step, a window of arrivals at the row's rate is
// timed; the ramp stops at the first window whose p95 passes 1 s, or at the cap.
import { place, populate } from "./population.js";
import { measureRow, ms, percentile, usageMark, usageSince, type Bench, type Row } from "./row.js";

type Usage = Awaited<ReturnType<typeof usageSince>>;

export const RAMP_ROOM = "ONE";
const LIMIT_MS = 1000;

const PLANS = {
  10: { target: 3000, levels: [500, 1000, 2000, 3000, 4000], windowS: 6, fillBudgetMs: 170_000 },
  50: { target: 1000, levels: [250, 500, 1000, 1500, 2000], windowS: 3, fillBudgetMs: 80_000 },
} as const;
/**
 * fillBudgetMs bounds the time a row may spend filling its room (which costs the square of the room's
 * size in deliveries): together the rows stay inside the bench's ten minutes.
 */
const QUICK = { levels: [20, 40], windowS: 1, fillBudgetMs: 30_000 };

const pause = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));

/** `rate` arrivals a second for `seconds`, open loop; each join's ms (Infinity when it failed). */
async function arrivals(bench: Bench, rate: number, seconds: number, prefix: string) {
  const started = performance.now();
  const joins: Promise<number>[] = [];
  for (let k = 0; k < rate * seconds; k++) {
    await pause(started + (k * 1000) / rate - performance.now());
    const { spec, worker } = place(bench, k, RAMP_ROOM, prefix);
    joins.push(
      worker.ask({ op: "joinOne", user: spec }).then(
        (joined) => joined.ms,
        () => Infinity,
      ),
    );
  }
  return Promise.all(joins);
}

export async function rampRow(bench: Bench, rate: 10 | 50): Promise<Row> {
  const plan = PLANS[rate];
  const { levels, windowS, fillBudgetMs } = bench.quick ? QUICK : plan;
  return measureRow(
    bench,
    {
      id: `ramp-${rate}`,
      scenario: `one room, ${rate} arrivals/s: users when join p95 passes 1 s`,
      target: plan.target.toLocaleString("en-US"),
    },
    async () => {
      const steps: ({ users: number; joins: number; p50: number; p95: number; failed: number } & Usage)[] =
        [];
      const stopAt = Date.now() + fillBudgetMs;
      let users = 0;
      let outOfTime = false;
      for (const level of levels) {
        if (level > users) {
          const filled = await populate(bench, RAMP_ROOM, level - users, `p${rate}x`, {
            first: users,
            stopAt,
          });
          users += filled.length;
          if (users < level) {
            outOfTime = true;
            break;
          }
        }
        const mark = await usageMark(bench);
        const times = await arrivals(bench, rate, windowS, `a${rate}x`);
        steps.push({
          ...(await usageSince(bench, mark)),
          users,
          joins: times.length,
          p50: percentile(times, 50),
          p95: percentile(times, 95),
          failed: times.filter((t) => t === Infinity).length,
        });
        users += times.length;
        if (steps.at(-1)!.p95 > LIMIT_MS) break;
      }
      const last = steps.at(-1);
      if (!last) throw new Error(`the room did not reach ${levels[0]} users in ${fillBudgetMs / 1000} s`);
      const crossed = last.p95 > LIMIT_MS;
      const count = (n: number) => n.toLocaleString("en-US");
      const before = steps.at(-2)?.users;
      const ours = !crossed
        ? `not at ${count(last.users)} (${outOfTime ? "time cap" : "cap"})`
        : before
          ? `between ${count(before)} and ${count(last.users)}`
          : `below ${count(last.users)}`;
      const atTarget = steps.find((step) => step.users === plan.target);
      return {
        ours: `${ours} (p95 ${ms(last.p95)} at ${count(last.users)})`,
        value: last.users,
        met: bench.quick ? "n/a" : atTarget && atTarget.p95 <= LIMIT_MS ? "yes" : "no",
        details: { rate, windowS, steps, outOfTime },
        units: { name: "join", count: users },
      };
    },
  );
}
