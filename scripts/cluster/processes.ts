// Small helpers for the real processes the cluster is made of: free ports, binaries, readiness, stop.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { connect, createServer, type AddressInfo, type Server } from "node:net";

/** A loopback port that is free now (see reservePort when it must stay free until bound). */
export async function freePort(): Promise<number> {
  const { port, release } = await reservePort();
  await release();
  return port;
}

/**
 * Ports from which freePort and reservePort choose: those below the kernel's ephemeral range (Linux:
 * /proc/sys/net/ipv4/ip_local_port_range, 32768–60999 by default; elsewhere 49152–65535). Every
 * `listen(0)` and every outgoing connection on the machine draws from that range, so a port chosen there
 * and released was sometimes taken by another test's server before our process bound it (Vite then moved
 * to the next port, and a test probed the stranger's), and a connection to a free port there can connect
 * to itself.
 */
function ownPortRange(): { low: number; high: number } {
  let ephemeralLow = 32_768;
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    ephemeralLow = Number(low);
  } catch {
    // not Linux: the IANA range (macOS, Windows) starts higher still
  }
  // Below 10000 are the well-known development ports (3000, 5173, 6379, 8080, …).
  return { low: 10_000, high: ephemeralLow - 1 };
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/**
 * A free loopback port held by a listener until `release()`: between choosing a port and the process
 * that binds it, seconds can pass (instances start first), and meanwhile another test's process or an
 * outgoing connection could take a port that was merely free. A held port is neither handed out by the
 * OS nor used for outgoing connections; a released one, being outside the ephemeral range, is handed
 * out only to a process that asks for it by number.
 */
export async function reservePort(): Promise<{ port: number; release: () => Promise<void> }> {
  const { low, high } = ownPortRange();
  let server: Server | undefined;
  for (let attempt = 0; !server && attempt < 50 && high - low > 1_000; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    server = await listenOn(port).catch(() => undefined); // in use: another one
  }
  // An ephemeral range set to start below 11000, or a machine whose ports are nearly all taken.
  server ??= await listenOn(0);
  const { port } = server.address() as AddressInfo;
  const held = server;
  return { port, release: () => new Promise((done) => held.close(() => done())) };
}

/** A flag each binary answers with exit status 0 (janus prints its version for `--version` but exits 1). */
const VERSION_FLAG: Record<string, string> = { nginx: "-v", janus: "--help" };

/** True when `binary` is on PATH and answers its version flag. */
export function hasBinary(binary: string): boolean {
  const probe = spawnSync(binary, [VERSION_FLAG[binary] ?? "--version"], { encoding: "utf8" });
  return !probe.error && probe.status === 0;
}

/** Throws with an install hint when `binary` is not on PATH: tests that need it must fail, not skip. */
export function requireBinary(binary: string, install: string): void {
  if (!hasBinary(binary)) throw new Error(`${binary} is not installed. Install it with: ${install}`);
}

/** Resolves true once something accepts TCP connections on 127.0.0.1:`port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * How long a stopped process may take before SIGKILL: above an instance's own SHUTDOWN_TIMEOUT_MS
 * (10 s), below the 15 s in which `npm run cluster` promises to be gone.
 */
export const STOP_GRACE_MS = 12_000;

/** What a process printed, kept in memory only up to this when it also goes to a log file. */
const LOGGED_TAIL_CHARS = 64 * 1024;

export interface Managed {
  child: ChildProcess;
  /** What the process printed so far (with a log file: its last 64 K characters). */
  output(): string;
  /** Sends `signal` (SIGTERM by default), SIGKILL after `graceMs` (STOP_GRACE_MS), and waits for the exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Spawns a process and waits until it is ready. */
export async function startProcess(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    /** Output to wait for, or a probe that answers true once the process serves. */
    ready: RegExp | (() => Promise<boolean>);
    timeoutMs?: number;
    name: string;
    /** Append everything it prints to this file (created with its folder), keeping only a tail in memory. */
    logFile?: string;
    /** Its working directory (where a crash's core file lands); the caller's by default. */
    cwd?: string;
  },
): Promise<Managed> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    cwd: options.cwd,
  });
  let output = "";
  let log: ReturnType<typeof createWriteStream> | undefined;
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    log = createWriteStream(options.logFile, { flags: "a" });
    child.once("exit", () => log?.end());
  }
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    output += chunk.toString();
    // Without a bound a long-running cluster kept every line its instances ever printed.
    if (log && output.length > 2 * LOGGED_TAIL_CHARS) output = output.slice(-LOGGED_TAIL_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const managed: Managed = {
    child,
    output: () => (log ? output.slice(-LOGGED_TAIL_CHARS) : output),
    stop: async (signal = "SIGTERM", graceMs = STOP_GRACE_MS) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      const late = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(late);
    },
  };
  // A bound on a hang, not on speed: an instance compiled by tsx on a machine whose CPUs other work
  // keeps busy has been seen to need more than 15 s.
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const where = options.logFile ? ` (its log: ${options.logFile})` : "";
  const ready = options.ready;
  const isReady = typeof ready === "function" ? ready : async () => ready.test(output);
  while (!(await isReady())) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited early${where}:\n${output}`);
    if (Date.now() > deadline) {
      await managed.stop("SIGKILL");
      const said = output.trim()
        ? output
        : "(it printed nothing: a busy machine can take longer to start it)\n";
      throw new Error(`${options.name} did not get ready within ${timeoutMs / 1000} s${where}:\n${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return managed;
}
