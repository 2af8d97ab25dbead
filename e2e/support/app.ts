// The real production server (`node server/dist/index.js`, serving the built SPA) on a free loopback port.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../server/test/support/ports.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const serverEntry = path.join(repoRoot, "server/dist/index.js");
const clientIndex = path.join(repoRoot, "client/dist/index.html");

/** A bound on a hang: the built server answers in about a second, far longer on a busy machine. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface App {
  /** The origin a browser opens, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  /** SIGTERM, then waits for the process to exit (SIGKILL if it will not). */
  stop(): Promise<void>;
}

/** Throws unless the server and the SPA have been built. */
export function requireBuild(): void {
  for (const file of [serverEntry, clientIndex]) {
    if (!existsSync(file)) {
      throw new Error(`${path.relative(repoRoot, file)} is missing: run \`npm run build\` first`);
    }
  }
}

/** Starts the built app. `env` adds to or overrides the defaults, e.g. REDIS_URL for a cluster. */
export async function startApp(env: Record<string, string> = {}): Promise<App> {
  requireBuild();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // As `npm start`: the `compiled` condition loads @videochat/protocol's built JavaScript.
  const child = spawn(process.execPath, ["--conditions=compiled", serverEntry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      // A browser that closes without "Leave" frees its name and member row this soon.
      SESSION_GRACE_MS: "3000",
      // Every browser of a test joins from 127.0.0.1.
      SESSION_CLAIMS_PER_MIN: "10000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited early (${child.exitCode}):\n${output}`);
    try {
      const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (health.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer /api/health within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, output: () => output, stop };
}
