// Small helpers for the real processes the cluster is made of: free ports, binaries, readiness, stop.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect, createServer } from "node:net";

/** A loopback port that is free now (see reservePort when it must stay free until bound). */
export async function freePort(): Promise<number> {
  const { port, release } = await reservePort();
  await release();
  return port;
}

/**
 * A free loopback port held by a listener until `release()`: between choosing a port and the process
 * that binds it, seconds can pass (instances start first), and meanwhile another test's process or an
 * outgoing connection could take a port that was merely free. A held port is neither handed out by the
 * OS nor used for outgoing connections.
 */
export function reservePort(): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (!address || typeof address !== "object") return reject(new Error("no port"));
      resolve({ port: address.port, release: () => new Promise((done) => server.close(() => done())) });
    });
  });
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

export interface Managed {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends `signal` (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
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
  },
): Promise<Managed> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const managed: Managed = {
    child,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
    },
  };
  // A bound on a hang, not on speed: an instance compiled by tsx on a machine whose CPUs other work
  // keeps busy has been seen to need more than 15 s.
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const ready = options.ready;
  const isReady = typeof ready === "function" ? ready : async () => ready.test(output);
  while (!(await isReady())) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited early:\n${output}`);
    if (Date.now() > deadline) {
      await managed.stop("SIGKILL");
      throw new Error(`${options.name} did not get ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return managed;
}
