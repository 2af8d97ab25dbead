// Starts a real redis-server on a free loopback port for one test file, and stops it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";

export interface RedisProcess {
  url: string;
  port: number;
  password: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (nothing is kept on disk). */
  restart(): Promise<void>;
  flush(): Promise<void>;
}

function requireBinary(): string {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "redis-server is not installed: these tests start a real Redis. Install it with `apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).",
    );
  }
  return "redis-server";
}

export async function startRedis(): Promise<RedisProcess> {
  const binary = requireBinary();
  const port = await freePort();
  const password = `test-${Math.random().toString(36).slice(2)}`;
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--requirepass",
        password,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!/Ready to accept connections/.test(output)) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };

  await launch();
  const url = `redis://:${password}@127.0.0.1:${port}`;
  return {
    url,
    port,
    password,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    flush: async () => {
      const client = new Redis(url);
      await client.flushall();
      client.disconnect();
    },
  };
}
