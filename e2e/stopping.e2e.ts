// What a process manager does: it signals the `npm` it started (not the process group) and waits, then
// kills. `npm run serve` and `npm run cluster` are spawned for real, the npm process gets SIGINT or
// SIGTERM, and within 15 s every process of the tree has exited and every port it served is free.
// Before, npm passed the signal to a shell that passes nothing on, and everything kept running.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { janusInstalled } from "../scripts/cluster/janus.js";
import { accepts } from "../scripts/cluster/processes.js";
import { freePort } from "../server/test/support/ports.js";
import { repoRoot, requireBuild } from "./support/app.js";

/** What a process manager allows (systemd's and Compose's defaults are 10–15 s). */
const STOP_DEADLINE_MS = 15_000;

/** Every live process: its parent and its process group, read from /proc. */
function processTable(): Map<number, { ppid: number; group: number }> {
  const table = new Map<number, { ppid: number; group: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z") table.set(Number(entry), { ppid: Number(fields[1]), group: Number(fields[2]) });
    } catch {
      // exited while we read
    }
  }
  return table;
}

/** Every live descendant of `pid`, read from /proc (parent links), at this moment. */
function descendants(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, { ppid }] of table)
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
  };
  walk(pid);
  return found;
}

/** The processes holding a socket that listens on TCP `port` (IPv4 or IPv6), read from /proc. */
function listeners(port: number): number[] {
  const sockets = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"])
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      // "sl local_address rem_address st … inode": local "0100007F:B1A5", state 0A is LISTEN.
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A" && parseInt(fields[1]!.split(":")[1]!, 16) === port)
        sockets.add(`socket:[${fields[9]}]`);
    }
  const holders: number[] = [];
  for (const pid of sockets.size ? processTable().keys() : [])
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => sockets.has(readlinkOrEmpty(`/proc/${pid}/fd/${fd}`)))) holders.push(pid);
    } catch {
      // exited while we read, or not ours to read
    }
  return holders;
}

const readlinkOrEmpty = (link: string) => {
  try {
    return readlinkSync(link);
  } catch {
    return "";
  }
};

const commandLine = (pid: number) => {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`;
  } catch {
    return `${pid}: exited`;
  }
};

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

/**
 * Waits until a process of `npm`'s tree listens on each port. "Something accepts" was not enough: when
 * another process held the port, Vite moved to the next one, and the test watched the stranger.
 */
async function servedByTree(npm: ChildProcess, ports: number[]) {
  await vi.waitFor(
    () => {
      const tree = descendants(npm.pid!);
      for (const port of ports) {
        const holders = listeners(port);
        const strangers = holders.filter((pid) => !tree.includes(pid));
        expect(strangers.map(commandLine), `port ${port} is held by processes outside npm's tree`).toEqual(
          [],
        );
        expect(holders.length, `port ${port}: nothing listens yet`).toBeGreaterThan(0);
      }
    },
    { timeout: 60_000, interval: 200 },
  );
}

function npmRun(script: string, env: Record<string, string>): { npm: ChildProcess; output: () => string } {
  const npm = spawn("npm", ["run", script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  npm.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { npm, output: () => output };
}

/** Signals npm alone, then checks the deadline, the process tree and the ports. */
async function expectStopped(
  run: { npm: ChildProcess; output: () => string },
  signal: NodeJS.Signals,
  ports: number[],
) {
  const tree = descendants(run.npm.pid!);
  expect(tree.length, "the run's processes").toBeGreaterThan(2);
  // The process groups the run made (npm and the runner share the test's own): a child spawned after this
  // snapshot (esbuild's service started late, a watcher's restarted child) is in one of them.
  const table = processTable();
  const ownGroup = table.get(process.pid)!.group;
  const groups = new Set(tree.map((pid) => table.get(pid)?.group).filter((group) => group !== ownGroup));
  const running = () => {
    const table = processTable();
    const inGroups = [...table].filter(([, { group }]) => groups.has(group)).map(([pid]) => pid);
    return [...new Set([...tree.filter(alive), ...inGroups])];
  };
  const exited = once(run.npm, "exit");
  const started = Date.now();
  run.npm.kill(signal);
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_DEADLINE_MS + 5_000))]);
  // A process SIGKILLed just before npm exited can take a moment to leave /proc: wait for the last one,
  // within the same deadline.
  while (running().length > 0 && Date.now() - started < STOP_DEADLINE_MS)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const elapsed = Date.now() - started;
  const left = running();
  const described = left.map(commandLine);
  for (const pid of left) process.kill(pid, "SIGKILL"); // never leave them to the next test
  console.log(
    `${signal} to npm: every process gone after ${elapsed} ms (${tree.length} processes in ${groups.size} groups, ${left.length} left)`,
  );
  expect(elapsed, run.output().slice(-3000)).toBeLessThan(STOP_DEADLINE_MS);
  expect(described, "processes still running").toEqual([]);
  for (const port of ports)
    expect(await accepts(port), `port ${port}: ${listeners(port).map(commandLine).join(", ")}`).toBe(false);
}

describe("a signal to the npm process", () => {
  it("SIGINT stops every process of `npm run serve` (API watcher, Vite) and frees its ports", async () => {
    const [api, web] = [await freePort(), await freePort()];
    const run = npmRun("serve", { PORT: String(api), API_PORT: String(api), WEB_PORT: String(web) });
    try {
      await servedByTree(run.npm, [api, web]);
      await expectStopped(run, "SIGINT", [api, web]);
    } finally {
      run.npm.kill("SIGKILL");
    }
  });

  it("SIGTERM stops every process of `npm run cluster` (instances, nginx, Redis, coturn, Janus)", async () => {
    requireBuild();
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), "videochat-cluster-run-"));
    chmodSync(dir, 0o755); // nginx's workers run as nobody when the tests run as root
    const run = npmRun("cluster", { CLUSTER_BUILD: "0", CLUSTER_PORT: String(port), CLUSTER_DIR: dir });
    try {
      const up = /Ctrl-C stops everything/;
      await vi.waitFor(() => run.npm.exitCode !== null || expect(run.output()).toMatch(up), {
        timeout: 120_000,
        interval: 200,
      });
      expect(run.output()).toMatch(up);
      // Redis, the instances and coturn as printed, and nginx's.
      const printed = [...run.output().matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));
      expect(printed.length, "Redis and two instances at least").toBeGreaterThanOrEqual(3);
      const ports = [port, ...new Set(printed)];
      for (const served of ports) expect(await accepts(served), `port ${served}`).toBe(true);
      // Each process's log is a file, not memory the runner keeps.
      const logs = ["app1.log", "app2.log", "redis.log", ...(janusInstalled() ? ["janus-1.log"] : [])];
      expect(readdirSync(path.join(dir, "logs")).sort()).toEqual(logs.sort());
      expect(readFileSync(path.join(dir, "logs/app1.log"), "utf8")).toMatch(/"msg":"listening"/);
      await expectStopped(run, "SIGTERM", ports);
      expect(readFileSync(path.join(dir, "logs/app1.log"), "utf8")).toMatch(/"msg":"closed"/);
    } finally {
      run.npm.kill("SIGKILL");
    }
  }, 180_000);
});
