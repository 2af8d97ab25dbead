// The fuzz suite: fast-check drives users with several tabs on two in-process instances over a real
// Redis, with random valid and invalid events in random orders, interleaved with instance kills,
// clean stops, restarts under the same INSTANCE_ID and Redis freezes (SIGSTOP/SIGCONT). After each
// run it waits for the system to settle and checks the invariants (support/fuzz/invariants.ts,
// group.ts, deliveries.ts, settle.ts). Runs for FUZZ_BUDGET_MS; a failure prints the command that replays it:
//   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run server/test/fuzz.test.ts
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, it } from "vitest";
import { scenario, type Scenario } from "./support/fuzz/actions.js";
import { finish } from "./support/fuzz/settle.js";
import { World } from "./support/fuzz/world.js";
import { startRedis, type RedisProcess } from "./support/redis.js";

const env = process.env;
/** Time spent on new runs (CI: about a minute), then on shrinking a failure. */
const BUDGET_MS = Number(env.FUZZ_BUDGET_MS || 60_000);
const SHRINK_MS = Number(env.FUZZ_SHRINK_MS || 60_000);
const STEPS = Number(env.FUZZ_STEPS || 60);
const RSS_MB = Number(env.FUZZ_RSS_MB || 1_536);
const replaying = Boolean(env.FUZZ_SEED && env.FUZZ_PATH);
/** A replay runs the counterexample this many times: interleavings depend on timing. */
const REPEAT = Number(env.FUZZ_REPEAT || 1);
const seed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
/** Runs past the budget pass without running; this only bounds how many fast-check generates. */
const RUNS = Number(env.FUZZ_RUNS || Math.ceil(BUDGET_MS / 500));

let redis: RedisProcess;
let reader: Redis;
let current: World | undefined;
const outcomes = new Map<string, number>();
let maxRssMb = 0;
const onRejection = (reason: unknown) =>
  current?.truth.problems.push(`unhandled rejection: ${String(reason)}`);
beforeAll(async () => {
  redis = await startRedis();
  reader = new Redis(redis.url);
  process.on("unhandledRejection", onRejection);
});
afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  reader?.disconnect();
  redis?.signal("SIGCONT");
  await redis?.stop();
});

async function run(plan: Scenario): Promise<void> {
  const world = (current = new World(redis));
  let problems: string[];
  try {
    await Promise.all([world.start(0), world.start(1)]);
    for (const action of plan.opening) await world.step(action, false);
    for (const { action, overlap } of plan.steps) await world.step(action, overlap);
    await world.drain();
    if (plan.restartAtEnd) await Promise.all([world.start(0), world.start(1)]);
    else if (world.live().length === 0) await world.start(0); // someone must be alive to clean up
    problems = await finish(world, reader, { rssMb: RSS_MB });
  } finally {
    for (const [outcome, count] of world.outcomes)
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + count);
    await world.teardown();
    current = undefined;
    maxRssMb = Math.max(maxRssMb, process.memoryUsage().rss / 2 ** 20);
  }
  if (env.FUZZ_LOG) console.log(`--- run ${plan.steps.length} steps ---\n${world.transcript}`);
  if (problems.length > 0) throw new Error(`${problems.join("\n")}\n--- the run ---\n${world.transcript}`);
}

describe("fuzzing two instances on one Redis", () => {
  it(
    "keeps every invariant under random events, kills, restarts and Redis freezes",
    async () => {
      console.log(
        `fuzz: seed ${seed}, budget ${BUDGET_MS} ms${replaying ? `, replaying ${env.FUZZ_PATH}` : ""}`,
      );
      const began = Date.now();
      let failedAt: number | undefined;
      let runs = 0;
      const property = fc.asyncProperty(scenario(STEPS), async (plan) => {
        const spent = Date.now() - (failedAt ?? began);
        if (replaying ? runs > 0 : spent > (failedAt === undefined ? BUDGET_MS : SHRINK_MS)) return; // out of budget
        runs += 1;
        try {
          for (let i = 0; i < (replaying ? REPEAT : 1); i++) await run(plan);
        } catch (error) {
          failedAt ??= Date.now();
          throw error;
        }
      });
      const details = await fc.check(property, {
        seed,
        numRuns: replaying ? 1 : RUNS,
        ...(replaying && { path: env.FUZZ_PATH, endOnFailure: true }),
      });
      const took = ((Date.now() - began) / 1000).toFixed(1);
      console.log(`fuzz: ${runs} runs in ${took} s, seed ${seed}, RSS at most ${maxRssMb.toFixed(0)} MB`);
      const answers = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([o, n]) => `${o}: ${n}`);
      console.log(`fuzz: answers seen: ${answers.join(", ")}`);
      if (!details.failed) return;
      const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npx vitest run server/test/fuzz.test.ts`;
      throw new Error(
        `fuzz run failed (seed ${details.seed}, path ${details.counterexamplePath}, shrunk ${details.numShrinks} times)\n` +
          `replay: ${replay}\ncounterexample: ${fc.stringify(details.counterexample)}\n` +
          `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
      );
    },
    BUDGET_MS + SHRINK_MS + 120_000,
  );
});
