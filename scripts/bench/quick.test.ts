// CI's bench check: `npm run bench -- --quick` runs every scenario at tiny sizes, and each one must have
// run without errors. Nothing about speed is asserted: CI machines are shared and slow.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { Run } from "./report.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ROWS = [
  "message-10",
  "message-100",
  "message-500",
  "presence-500",
  "join-500",
  "redis-idle",
  "redis-message",
  "redis-presence",
  "redis-commands",
  "ramp-10",
  "ramp-50",
  "held",
  "memory",
  "flood",
  "call",
  "sfu",
];

it("runs every bench scenario without errors (--quick)", async () => {
  const out = mkdtempSync(path.join(tmpdir(), "videochat-bench-quick-"));
  try {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench.ts", "--quick", "--out", out], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    console.log(output);
    const run = JSON.parse(readFileSync(path.join(out, "latest.json"), "utf8")) as Run;
    expect(run.rows.map((row) => row.id)).toEqual(ROWS);
    for (const row of run.rows) {
      expect({ row: row.id, errors: row.errorSamples }).toEqual({ row: row.id, errors: [] });
      expect(row.value, row.id).not.toBeNull();
    }
    expect(code).toBe(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
