// `npm run bench` (builds first) and `npm run bench -- --quick`: the scenario table of issue 8. Starts
// its own Redis and, per group of rows, two fresh built instances (server/dist); drives simulated
// users with socket.io-client from worker processes; a call row runs Chromium through nginx. The fan-out
// and command rows run interleaved on the floor as well (bench/floor/: Socket.IO and the same Redis
// adapter, nothing else, on a Redis of its own) and print its figure and the ratio. Prints one
// row per scenario with our figure beside the target, the generator's own CPU and event-loop delay, and
// the servers' CPU; writes JSON and Markdown under bench/results/.
//
//   --quick          tiny sizes, under a minute (CI: every row must run without errors; speed is not judged)
//   --only a,b       only the groups named (fanout, ramp10, ramp50, held, flood, call, sfu; commands:
//                    the Redis command rows alone, which fanout also runs). sfu: a group call through a
//                    Janus the bench starts, ramped to 25 simulated participants (scripts/bench/sfu.ts)
//   --profile <row>  CPU-profiles both instances during that row (e.g. message-500) and prints the top frames
//   --out <dir>      where results go (bench/results)
//   --no-floor       the fan-out rows on this app only, without the floor (bench/floor/) beside them
//   --watch-every <n> in the held row, one user in n watches room counts (rooms:watch), as a tab showing
//                    the room switcher does; 0 (default): none, like background tabs
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { runGroups, GROUPS } from "./bench/groups.js";
import { Pool } from "./bench/pool.js";
import { machine, printTable, writeResults } from "./bench/report.js";
import { BenchRedis } from "./bench/stack.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "string" },
    out: { type: "string", default: path.join(root, "bench/results") },
    workers: { type: "string", default: "2" },
    "watch-every": { type: "string", default: "0" },
    "no-floor": { type: "boolean", default: false },
  },
});

for (const built of ["server/dist/index.js", "client/dist/index.html"]) {
  if (!existsSync(path.join(root, built)))
    throw new Error(`${built} is missing: run \`npm run build\` first (npm run bench does)`);
}
// "commands" (the command rows alone) is part of "fanout", so not run twice by default.
const groups = values.only ? values.only.split(",") : GROUPS.filter((group) => group !== "commands");
const unknown = groups.filter((group) => !(GROUPS as readonly string[]).includes(group));
if (unknown.length > 0) throw new Error(`unknown group ${unknown.join(", ")}; groups: ${GROUPS.join(", ")}`);

const before = machine();
console.log(
  `${values.quick ? "Quick run" : "Full run"} on ${before.cpus}× ${before.cpuModel}, load ${before.load}; groups: ${groups.join(", ")}\n`,
);
const started = performance.now();
// The floor (bench/floor/) gets a Redis of its own, so that each stack's commands are counted apart.
const redis = await BenchRedis.start();
const floorRedis = values["no-floor"] ? undefined : await BenchRedis.start();
const pool = await Pool.start(Number(values.workers));
let rows;
try {
  rows = await runGroups(groups, {
    pool,
    redis,
    floorRedis,
    quick: values.quick,
    profileRow: values.profile,
    watchEvery: Number(values["watch-every"]),
    resultsDir: values.out,
    progress: (line) => console.log(line),
  });
} finally {
  await pool.stop();
  await redis.stop();
  await floorRedis?.stop();
}
const seconds = (performance.now() - started) / 1000;
const run = { quick: values.quick, seconds, machine: { ...before, loadAfter: machine().load }, rows };
console.log("");
printTable(run);
const written = writeResults(values.out, run);
console.log(`\n${rows.length} rows in ${seconds.toFixed(0)} s; written: ${written.join(", ")}`);
const failed = rows.filter((row) => row.errors > 0);
if (failed.length > 0) {
  console.error(`rows with errors: ${failed.map((row) => `${row.id} (${row.errorSamples[0]})`).join("; ")}`);
  process.exitCode = 1;
}
