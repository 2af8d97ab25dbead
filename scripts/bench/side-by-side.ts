// Rows measured on this app and on the bench's floor (bench/floor/server.ts: Socket.IO and the same
// Redis adapter, nothing else) under the same generator, in passes that alternate which one goes first,
// so that a change in the machine's load between them weighs on both. A row then carries the floor's
// figure and the ratio: what the floor costs is the stack's; the rest is what the app's guarantees cost.
import type { Bench, Row, Verdict } from "./row.js";

/** The stacks a side-by-side row runs on: the app, and the floor when the group started one. */
export interface Stacks {
  app: Bench;
  floor?: Bench;
  /** Passes per stack: 2 in a full run (app first, then floor first), 1 in a quick one. */
  passes: number;
}

/** How a row's figure compares: lower is better; `ratio` at or under `atMost` is met. */
export interface FloorTarget {
  atMost: number;
  /** The most CPU per unit may be over the floor's, when the row has a unit of work. */
  cpuAtMost?: number;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const finite = (values: (number | null)[]) =>
  values.filter((v): v is number => v !== null && Number.isFinite(v));

/** One figure per pass, e.g. "3.1 · 2.9 ms" or "4.0 · 4.0". */
function passes(rows: Row[]): string {
  const unit = / ms$/.test(rows[0]!.ours) ? " ms" : "";
  return rows.map((row) => row.ours.replace(/ ms$/, "")).join(" · ") + unit;
}

/** Several passes of one row on one stack as one row: the mean of the figures, the sum of the errors. */
function combine(rows: Row[]): Row {
  const first = rows[0]!;
  if (rows.length === 1) return first;
  const values = finite(rows.map((row) => row.value));
  const cpu = rows.flatMap((row) => (row.cpuPerUnitMs ? [row.cpuPerUnitMs] : []));
  return {
    ...first,
    ours: passes(rows),
    value: values.length === rows.length ? mean(values) : null,
    seconds: rows.reduce((sum, row) => sum + row.seconds, 0),
    errors: rows.reduce((sum, row) => sum + row.errors, 0),
    errorSamples: rows.flatMap((row) => row.errorSamples),
    instancesCpuPercent: mean(rows.map((row) => row.instancesCpuPercent)),
    redisCpuPercent: mean(rows.map((row) => row.redisCpuPercent)),
    details: { ...first.details, passes: rows.map((row) => ({ ours: row.ours, details: row.details })) },
    ...(cpu.length === rows.length && {
      cpuPerUnitMs: {
        unit: cpu[0]!.unit,
        instances: mean(cpu.map((c) => c.instances)),
        redis: mean(cpu.map((c) => c.redis)),
        generator: mean(cpu.map((c) => c.generator)),
      },
    }),
  };
}

/**
 * Measures `measure` on the app and on the floor, alternating which goes first pass by pass; the app's
 * row comes back with the floor's figure and the ratios beside it, and its verdict against `target`.
 */
export async function sideBySide(
  stacks: Stacks,
  target: FloorTarget | null,
  measure: (bench: Bench, stack: "app" | "floor") => Promise<Row>,
): Promise<Row> {
  const app: Row[] = [];
  const floor: Row[] = [];
  for (let pass = 0; pass < stacks.passes; pass++) {
    const order = pass % 2 === 0 ? (["app", "floor"] as const) : (["floor", "app"] as const);
    for (const stack of order) {
      if (stack === "app") app.push(await measure(stacks.app, "app"));
      else if (stacks.floor) floor.push(await measure(stacks.floor, "floor"));
    }
  }
  const row = combine(app);
  if (floor.length === 0) return row;
  const base = combine(floor);
  const ratio = row.value !== null && base.value ? row.value / base.value : null;
  const cpuRatio =
    row.cpuPerUnitMs && base.cpuPerUnitMs ? row.cpuPerUnitMs.instances / base.cpuPerUnitMs.instances : null;
  const perPass = app.map((a, i) => (a.value !== null && floor[i]?.value ? a.value / floor[i].value : null));
  row.floor = {
    ours: base.ours,
    value: base.value,
    ratio,
    ratioPerPass: perPass,
    cpuPerUnitMs: base.cpuPerUnitMs?.instances ?? null,
    cpuRatio,
    errors: base.errors,
  };
  row.details = { ...row.details, floorDetails: base.details };
  row.errors += base.errors;
  row.errorSamples.push(...base.errorSamples.map((sample) => `floor: ${sample}`));
  if (target) {
    row.target = `≤ ${target.atMost}× floor${target.cpuAtMost ? `, CPU ≤ ${target.cpuAtMost}×` : ""}`;
    row.met = stacks.app.quick ? "n/a" : verdict(ratio, cpuRatio, target);
  }
  return row;
}

function verdict(ratio: number | null, cpuRatio: number | null, target: FloorTarget): Verdict {
  if (ratio === null) return "no";
  const cpuMet = target.cpuAtMost === undefined || (cpuRatio !== null && cpuRatio <= target.cpuAtMost);
  return ratio <= target.atMost && cpuMet ? "yes" : "no";
}
