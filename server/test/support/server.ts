// Real servers for realtime tests: an in-process instance on a free port, or a separate process.
import { startInstance, type InstanceProcess } from "../../../scripts/cluster/instances.js";
import { loadConfig } from "../../src/config.js";
import { createInstance, type Instance } from "../../src/server.js";

/** SESSION_CLAIMS_PER_MIN for tests whose many users all come from one loopback address. */
export const MANY_CLAIMS = "100000";

/**
 * What a test's users, who all come from 127.0.0.1, stand for: people from addresses of their own. No
 * claim budget, no cap on live sessions, no crowded address (whose sessions would share budgets). The
 * per-address bounds have their own tests (claims, address-limits), which set these low again.
 */
export const ONE_ADDRESS: Record<string, string> = {
  SESSION_CLAIMS_PER_MIN: MANY_CLAIMS,
  SESSIONS_PER_ADDRESS: "1000000",
  ADDRESS_CROWDED_SESSIONS: "1000000",
};

export interface TestServer {
  url: string;
  instance: Instance;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    CLIENT_DIST: "/nonexistent",
    SESSION_GRACE_MS: "2000",
    REAPER_INTERVAL_MS: "50",
    // Every test user claims a session from 127.0.0.1 (storm: 200); the limits have their own tests.
    ...ONE_ADDRESS,
    ...env,
  });
  const instance = createInstance(config);
  const port = await instance.listen();
  return { url: `http://127.0.0.1:${port}`, instance, close: () => instance.close() };
}

/** Its `url`, `stop()`, and the child process with what it printed (`child`, `output()`). */
export type ServerProcess = InstanceProcess;

/** The real entrypoint (`src/index.ts` through tsx) as its own process, as the cluster runs it. */
export async function spawnServer(port: number, env: Record<string, string>): Promise<ServerProcess> {
  const { INSTANCE_ID: id = `test-${port}`, ...rest } = env;
  return startInstance({
    id,
    port,
    env: { CLIENT_DIST: "/nonexistent", ...ONE_ADDRESS, ...rest },
    entry: "src",
  });
}
