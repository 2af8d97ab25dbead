// One row of the bench table and the frame every row is measured in: the generator's and the servers'
// CPU over the row, errors, and (with --profile) a CPU profile of each instance.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Inspector, topFrames } from "./inspector.js";
import type { GeneratorUse, Pool } from "./pool.js";
import { cpuSeconds, type BenchInstance, type BenchRedis } from "./stack.js";

export type Verdict = "yes" | "no" | "within range" | "n/a";

/** What a scenario reports: its figure, the verdict against the target, and whatever explains it. */
export interface Outcome {
  ours: string;
  value: number | null;
  met: Verdict;
  details: Record<string, unknown>;
  /** The row's unit of work (a broadcast, a join), for CPU per unit: a figure the machine's load moves less. */
  units?: { name: string; count: number };
}

export interface Row extends Outcome {
  id: string;
  scenario: string;
  target: string;
  seconds: number;
  generator: GeneratorUse | null;
  /** CPU over the row, % of one core: both instances together, and Redis. */
  instancesCpuPercent: number;
  redisCpuPercent: number;
  errors: number;
  errorSamples: string[];
  /** CPU milliseconds per unit of work (Outcome.units): both instances, Redis, the generator. */
  cpuPerUnitMs?: { unit: string; instances: number; redis: number; generator: number };
  /** The same row on the bench's floor, and this app's figure over the floor's (side-by-side.ts). */
  floor?: FloorSide;
  /** The top self-time frames of each instance, when this row was profiled. */
  profile?: { instance: string; file: string; top: { frame: string; percent: number }[] }[];
}

/** A row's figures on the floor (bench/floor/): the stack alone, without the app's guarantees. */
export interface FloorSide {
  ours: string;
  value: number | null;
  /** This app's value over the floor's: the mean of the passes, and each pass's. */
  ratio: number | null;
  ratioPerPass: (number | null)[];
  /** Both floor instances' CPU per unit of work, ms, and this app's over it. */
  cpuPerUnitMs: number | null;
  cpuRatio: number | null;
  errors: number;
}

/** What every scenario runs with. */
export interface Bench {
  pool: Pool;
  redis: BenchRedis;
  instances: BenchInstance[];
  quick: boolean;
  /** The row id to profile (`--profile <id>`), and where profiles go. */
  profileRow?: string;
  resultsDir: string;
  /** In the held row, one user in this many watches room counts; 0: none. */
  watchEvery?: number;
}

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export const ms = (value: number): string =>
  Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : "—";

/** p50/p95/p99/max of latencies, for a row's details. */
export const spread = (values: number[]) => ({
  samples: values.length,
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  max: Math.max(...values),
});

/** "yes" at or under `best`, "within range" up to `worst`, else "no" (lower is better). */
export const against = (value: number, best: number, worst = best): Verdict =>
  !Number.isFinite(value) ? "no" : value <= best ? "yes" : value <= worst ? "within range" : "no";

interface UsageMark {
  at: number;
  generatorUs: number;
  instancesS: number;
}

/** A reading of the generator's and the instances' CPU so far, for one stretch inside a row. */
export async function usageMark(bench: Bench): Promise<UsageMark> {
  const stats = await bench.pool.all({ op: "stats", reset: false });
  return {
    at: performance.now(),
    generatorUs: stats.reduce((sum, s) => sum + s.cpuUs, 0),
    instancesS: bench.instances.reduce((sum, instance) => sum + cpuSeconds(instance.pid), 0),
  };
}

/** CPU between two readings, % of one core; the generator's worst loop p99 so far in the row. */
export async function usageSince(bench: Bench, from: UsageMark) {
  const to = await usageMark(bench);
  const wallMs = to.at - from.at;
  const stats = await bench.pool.all({ op: "stats", reset: false });
  return {
    generatorCpuPercent: (100 * (to.generatorUs - from.generatorUs)) / 1000 / wallMs,
    instancesCpuPercent: (100 * 1000 * (to.instancesS - from.instancesS)) / wallMs,
    rowLoopP99Ms: Math.max(...stats.map((s) => s.loopP99Ms)),
  };
}

/** Runs one scenario as a row; a scenario that throws becomes a row with the error, not a crash. */
export async function measureRow(
  bench: Bench,
  row: { id: string; scenario: string; target: string },
  scenario: () => Promise<Outcome>,
): Promise<Row> {
  const started = performance.now();
  const instancesFrom = bench.instances.map((instance) => cpuSeconds(instance.pid));
  const redisFrom = await bench.redis.cpuSeconds();
  const profiling = bench.profileRow === row.id ? await startProfiles(bench.instances) : null;
  await bench.pool.reset();
  let outcome: Outcome;
  let failure: string | undefined;
  try {
    outcome = await scenario();
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    outcome = { ours: "failed", value: null, met: "n/a", details: { failure } };
  }
  const generator = await bench.pool.use();
  const seconds = (performance.now() - started) / 1000;
  const instancesCpu = bench.instances.reduce(
    (sum, instance, i) => sum + cpuSeconds(instance.pid) - instancesFrom[i]!,
    0,
  );
  const redisCpu = (await bench.redis.cpuSeconds()) - redisFrom;
  const result: Row = {
    ...row,
    ...outcome,
    // A quick run is too small to judge: it shows that every scenario runs, nothing about speed.
    met: bench.quick ? "n/a" : outcome.met,
    seconds,
    generator,
    instancesCpuPercent: (100 * instancesCpu) / seconds,
    redisCpuPercent: (100 * redisCpu) / seconds,
    errors: generator.errors + (failure ? 1 : 0),
    errorSamples: [...(failure ? [failure] : []), ...generator.samples],
  };
  if (outcome.units && outcome.units.count > 0) {
    result.details = { ...result.details, units: outcome.units.count };
    const per = (cpuS: number) => (1000 * cpuS) / outcome.units!.count;
    result.cpuPerUnitMs = {
      unit: outcome.units.name,
      instances: per(instancesCpu),
      redis: per(redisCpu),
      generator: per((generator.cpuPercent / 100) * seconds),
    };
  }
  if (profiling) result.profile = await stopProfiles(bench, row.id, profiling);
  return result;
}

async function startProfiles(instances: BenchInstance[]): Promise<Inspector[]> {
  const inspectors = await Promise.all(instances.map((instance) => Inspector.open(instance.inspectPort)));
  await Promise.all(inspectors.map((inspector) => inspector.startProfile()));
  return inspectors;
}

async function stopProfiles(bench: Bench, rowId: string, inspectors: Inspector[]) {
  const dir = path.join(bench.resultsDir, "profiles");
  mkdirSync(dir, { recursive: true });
  return Promise.all(
    inspectors.map(async (inspector, i) => {
      const profile = await inspector.stopProfile();
      inspector.close();
      const instance = bench.instances[i]!.id;
      const file = path.join(dir, `${rowId}-${instance}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return { instance, file, top: topFrames(profile) };
    }),
  );
}
