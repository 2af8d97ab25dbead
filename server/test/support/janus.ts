// Real Janus nodes for SFU tests, in a temporary directory that goes with them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startJanusNodes as startNodes, type JanusNodes } from "../../../scripts/cluster/janus.js";

/** Starts `count` nodes on free loopback ports; fails with an install hint when Janus is missing. */
export async function startJanusNodes(count: number): Promise<JanusNodes> {
  const dir = await mkdtemp(path.join(tmpdir(), "janus-"));
  try {
    const started = await startNodes(dir, count);
    return {
      ...started,
      stop: async (signal = "SIGKILL") => {
        await started.stop(signal);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
