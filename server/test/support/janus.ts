// Real Janus nodes for SFU tests: each in its own temporary directory, on free loopback ports, all
// with one API secret (as a deployment's nodes share JANUS_API_SECRET).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startJanus, type Janus } from "../../../scripts/cluster/janus.js";

export interface JanusNodes {
  nodes: Janus[];
  /** JANUS_URLS and JANUS_API_SECRET for an app instance that uses every node. */
  env: { JANUS_URLS: string; JANUS_API_SECRET: string };
  stop(): Promise<void>;
}

/** Starts `count` nodes; fails with an install hint when Janus is missing. */
export async function startJanusNodes(count: number): Promise<JanusNodes> {
  const apiSecret = randomBytes(18).toString("base64url");
  const dirs: string[] = [];
  const nodes: Janus[] = [];
  for (let i = 0; i < count; i += 1) {
    const dir = await mkdtemp(path.join(tmpdir(), "janus-"));
    dirs.push(dir);
    nodes.push(await startJanus({ dir, apiSecret }));
  }
  return {
    nodes,
    env: { JANUS_URLS: nodes.map((node) => node.url).join(","), JANUS_API_SECRET: apiSecret },
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
