// A real redis-server with a password, on loopback, for the native cluster and the tests.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, requireBinary, startProcess, type Managed } from "./processes.js";

export interface RedisOptions {
  port?: number;
  password?: string;
  /** Keep data across restarts (AOF in this directory), as a deployment would. */
  dataDir?: string;
  /** More redis-server options, e.g. `--replicaof host port` (see sentinel.ts). */
  args?: string[];
  /** Append what it prints to this file. */
  logFile?: string;
}

export interface RedisServer {
  url: string;
  port: number;
  password: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and data directory). */
  restart(): Promise<void>;
  /** Sends `signal` to the running redis-server: SIGSTOP freezes it, SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  requireBinary(
    "redis-server",
    "apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)",
  );
  const port = options.port ?? (await freePort());
  const password = options.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "videochat-redis-"));
  mkdirSync(dataDir, { recursive: true });
  const persistence = options.dataDir
    ? ["--appendonly", "yes", "--appendfsync", "always"]
    : ["--appendonly", "no"];
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--requirepass",
    password,
    "--save",
    "",
    "--dir",
    dataDir,
    ...persistence,
    ...(options.args ?? []),
  ];
  const start = { ready: /Ready to accept connections/, name: "redis-server", logFile: options.logFile };
  let redis: Managed = await startProcess("redis-server", args, start);
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    password,
    stop: (signal) => redis.stop(signal),
    signal: (signal) => void redis.child.kill(signal),
    restart: async () => {
      await redis.stop();
      redis = await startProcess("redis-server", args, start);
    },
  };
}
