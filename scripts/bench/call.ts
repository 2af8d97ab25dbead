// The call row: runs e2e/bench/call-setup.ts (Chromium through nginx, two instances) as its own process
// and turns what it wrote into a row. Its "generator" is Chromium: its CPU is in the row, a loop delay is not.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { against, ms, spread, type Row } from "./row.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET_MS = 400;

interface CallFigures {
  times: number[];
  errors: string[];
  wallSeconds: number;
  chromiumCpuSeconds: number;
  instancesCpuSeconds: number;
}

export async function callRow(quick: boolean): Promise<Row> {
  const dir = mkdtempSync(path.join(tmpdir(), "videochat-bench-call-"));
  const out = path.join(dir, "call.json");
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "e2e/bench/call-setup.ts"), out, String(quick ? 1 : 5)],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
  );
  const [code] = (await once(child, "exit")) as [number | null];
  let figures: CallFigures;
  try {
    figures = JSON.parse(readFileSync(out, "utf8")) as CallFigures;
  } catch {
    figures = {
      times: [],
      errors: [`call-setup exited ${code} without figures`],
      wallSeconds: 0,
      chromiumCpuSeconds: 0,
      instancesCpuSeconds: 0,
    };
  }
  rmSync(dir, { recursive: true, force: true });
  const times = spread(figures.times);
  const wall = Math.max(figures.wallSeconds, 0.001);
  return {
    id: "call",
    scenario: "call set-up: accept → first remote frame decoded on both sides (two instances, nginx)",
    target: `p50 ≤ ${TARGET_MS} ms`,
    ours: figures.times.length > 0 ? ms(times.p50) : "failed",
    value: figures.times.length > 0 ? times.p50 : null,
    met: quick || figures.times.length === 0 ? "n/a" : against(times.p50, TARGET_MS),
    details: { ...times, calls: figures.times },
    seconds: (performance.now() - started) / 1000,
    generator: {
      cpuPercent: (100 * figures.chromiumCpuSeconds) / wall,
      loopP99Ms: NaN,
      loopMaxMs: NaN,
      errors: figures.errors.length,
      samples: figures.errors.slice(0, 5),
      received: {},
    },
    instancesCpuPercent: (100 * figures.instancesCpuSeconds) / wall,
    redisCpuPercent: NaN,
    errors: figures.errors.length,
    errorSamples: figures.errors.slice(0, 5),
  };
}
