// App instances as separate processes: the real entrypoint, built (dist) or straight from source (tsx).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess, type Managed } from "./processes.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface InstanceProcess extends Managed {
  id: string;
  port: number;
  url: string;
}

export async function startInstance(options: {
  id: string;
  port: number;
  env: Record<string, string>;
  /**
   * "dist" runs server/dist/index.js (npm run build first) as `npm start` does, with the `compiled`
   * condition that picks @videochat/protocol's built JavaScript; "src" runs server/src/index.ts through tsx.
   */
  entry?: "dist" | "src";
  /** Append what it prints to this file (memory keeps only a tail); without one, memory keeps all. */
  logFile?: string;
}): Promise<InstanceProcess> {
  const args =
    options.entry === "dist"
      ? ["--conditions=compiled", path.join(root, "server/dist/index.js")]
      : ["--import", "tsx", path.join(root, "server/src/index.ts")];
  const managed = await startProcess(process.execPath, args, {
    name: `instance ${options.id}`,
    logFile: options.logFile,
    ready: async () => {
      try {
        return (await fetch(`http://127.0.0.1:${options.port}/api/health`)).status < 500;
      } catch {
        return false;
      }
    },
    env: {
      ...process.env,
      LOG_LEVEL: "info",
      HOST: "127.0.0.1",
      ...options.env,
      PORT: String(options.port),
      INSTANCE_ID: options.id,
    },
  });
  return { ...managed, id: options.id, port: options.port, url: `http://127.0.0.1:${options.port}` };
}
