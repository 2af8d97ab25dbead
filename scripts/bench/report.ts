// The bench's output: one console table, and JSON plus Markdown under bench/results/ (a timestamped
// pair and latest.{json,md}, which docs/performance.md copies).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Row } from "./row.js";
import { describeStep, type SfuStep } from "./sfu.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  load: string;
  loadAfter?: string;
}

export interface Run {
  quick: boolean;
  seconds: number;
  machine: Machine;
  rows: Row[];
}

export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load: os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(", "),
  };
}

const percent = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} %` : "—");
const millis = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "—");

const HEADER = [
  "scenario",
  "ours",
  "floor",
  "× floor",
  "target",
  "met?",
  "generator CPU",
  "loop p99",
  "instances CPU",
  "Redis CPU",
  "instances CPU per op",
  "CPU × floor",
  "errors",
];

const times = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined || !Number.isFinite(ratio) ? "—" : `${ratio.toFixed(2)}×`;

/** "1.08× (1.10 · 1.06)": the mean ratio over the floor and each pass's. */
function overFloor(row: Row): string {
  const floor = row.floor;
  if (!floor) return "—";
  const passes =
    floor.ratioPerPass.length > 1
      ? ` (${floor.ratioPerPass.map((r) => times(r).replace("×", "")).join(" · ")})`
      : "";
  return `${times(floor.ratio)}${passes}`;
}

/** "0.41 ms/join": both instances' CPU per unit of the row's work. */
const perOp = (row: Row) =>
  row.cpuPerUnitMs ? `${row.cpuPerUnitMs.instances.toFixed(2)} ms/${row.cpuPerUnitMs.unit}` : "—";

function cells(row: Row): string[] {
  return [
    row.scenario,
    row.ours,
    row.floor?.ours ?? "—",
    overFloor(row),
    row.target,
    row.met,
    percent(row.generator?.cpuPercent ?? NaN),
    millis(row.generator?.loopP99Ms ?? NaN),
    percent(row.instancesCpuPercent),
    percent(row.redisCpuPercent),
    perOp(row),
    times(row.floor?.cpuRatio),
    String(row.errors),
  ];
}

export function printTable(run: Run): void {
  const lines = [HEADER, ...run.rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  for (const [n, line] of lines.entries()) {
    console.log(line.map((cell, i) => cell.padEnd(widths[i]!)).join(" | "));
    if (n === 0) console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
  }
  for (const row of run.rows.filter((r) => r.profile)) {
    for (const profile of row.profile!) {
      console.log(`\nCPU profile of ${profile.instance} during ${row.id} (${profile.file}), self time:`);
      for (const { frame, percent: share } of profile.top)
        console.log(`  ${share.toFixed(1).padStart(5)} %  ${frame}`);
    }
  }
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|");

type Spread = { p50: number; p95: number; p99: number; samples: number };
const pcts = (s: Spread) => `p50 ${millis(s.p50)}, p95 ${millis(s.p95)}, p99 ${millis(s.p99)} (${s.samples})`;
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([command, n]) => `${command} ${n}`)
    .join(", ");

/** One line per row with what explains its figure. */
function detail(row: Row): string {
  const d = row.details as Record<string, any>;
  const cpu = row.cpuPerUnitMs;
  const perOpText = cpu
    ? `; CPU per ${cpu.unit}: instances ${cpu.instances.toFixed(2)} ms, Redis ${cpu.redis.toFixed(2)} ms, generator ${cpu.generator.toFixed(2)} ms`
    : "";
  let what: string;
  if (d.failure) what = `failed: ${d.failure}`;
  else if (d.first) what = `last receiver ${pcts(d as Spread)}; first receiver ${pcts(d.first)}`;
  else if (d.sfuSteps) what = (d.sfuSteps as SfuStep[]).map(describeStep).join("; ");
  else if (d.steps)
    what = (d.steps as { users: number; joins: number; p50: number; p95: number }[])
      .map(
        (step) =>
          `${step.users} users: ${step.joins} joins, p50 ${millis(step.p50)}, p95 ${millis(step.p95)}`,
      )
      .join("; ");
  else if (d.sentPerUnit) what = `sent: ${list(d.sentPerUnit)}; inside Lua: ${list(d.inScriptsPerUnit)}`;
  else if (d.noFlood)
    what = `no flood ${pcts(d.noFlood)}; flood ${pcts(d.flood)}; flooder ${d.flooder.eventsPerSecond} events/s, ${d.flooder.rateLimited} of ${d.flooder.sent} rate_limited${d.flooder.cutAtMs === null || d.flooder.cutAtMs === undefined ? ", never cut" : `, cut at ${d.flooder.cutAtMs} ms (${d.flooder.endedWith ?? "no reason given"})`}`;
  else if (d.rssEmptyMb)
    what = `${d.users} users: RSS ${d.rssEmptyMb.toFixed(0)} → ${d.rssLoadedMb.toFixed(0)} MB (both instances), V8 heap ${d.heapPerUserKb.toFixed(1)} KB per user`;
  else if (d.calls) what = `calls: ${(d.calls as number[]).map((t) => t.toFixed(0)).join(", ")} ms`;
  else what = `joins ${pcts(d as Spread)}`;
  const received = row.generator?.received ?? {};
  const units = row.cpuPerUnitMs ? row.details.units : undefined;
  const deliveries = Object.entries(received)
    .sort((a, b) => b[1] - a[1])
    .map(([event, n]) => `${event} ${units ? (n / (units as number)).toFixed(1) : n}`)
    .join(", ");
  const receivedText = deliveries
    ? `; received${units ? ` per ${row.cpuPerUnitMs!.unit}` : ""}: ${deliveries}`
    : "";
  const errors = row.errors > 0 ? `; errors: ${row.errorSamples.join(" / ")}` : "";
  const floor = row.floor
    ? `; floor ${row.floor.ours}${row.floor.cpuPerUnitMs === null ? "" : `, CPU per ${row.cpuPerUnitMs?.unit ?? "unit"} ${row.floor.cpuPerUnitMs.toFixed(2)} ms`}${floorDetail(row)}`
    : "";
  return `- \`${row.id}\` (${row.seconds.toFixed(0)} s): ${what}${perOpText}${receivedText}${floor}${errors}`;
}

/** The floor's split of commands, for the command rows. */
function floorDetail(row: Row): string {
  const d = (row.details as Record<string, any>).floorDetails as Record<string, any> | undefined;
  return d?.sentPerUnit ? ` (sent: ${list(d.sentPerUnit)}; inside Lua: ${list(d.inScriptsPerUnit)})` : "";
}

/** The Markdown docs/performance.md carries: the command, the machine, the table and how each row is measured. */
export function markdown(run: Run): string {
  const m = run.machine;
  const command = run.quick ? "npm run bench -- --quick" : "npm run bench";
  return [
    `\`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB,`,
    `Node ${m.node}; load average ${m.load} at the start and ${m.loadAfter ?? "?"} at the end; ${run.seconds.toFixed(0)} s.`,
    "",
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map(() => "---").join(" | ")} |`,
    ...run.rows.map((row) => `| ${cells(row).map(escapeCell).join(" | ")} |`),
    "",
    ...run.rows.map(detail),
    "",
    ...run.rows.flatMap((row) =>
      (row.profile ?? []).map(
        (profile) =>
          `CPU profile of ${profile.instance} during \`${row.id}\`, self time: ` +
          profile.top.map(({ frame, percent: share }) => `${share.toFixed(1)} % ${frame}`).join("; ") +
          "\n",
      ),
    ),
  ].join("\n");
}

/** Writes <timestamp>.json/.md and latest.json/.md under `dir`; returns the paths written. */
export function writeResults(dir: string, run: Run): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const json = JSON.stringify(run, null, 2);
  const md = markdown(run);
  const written: string[] = [];
  for (const [name, text] of [
    [`${stamp}.json`, json],
    [`${stamp}.md`, md],
    ["latest.json", json],
    ["latest.md", md],
  ] as const) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    written.push(path.relative(process.cwd(), file));
  }
  return written;
}
