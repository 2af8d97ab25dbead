// The TURN credentials the server hands out (coturn's use-auth-secret convention, realtime/ice.ts)
// against a real coturn: accepted while valid, refused once expired or when derived from another
// secret. The client is coturn's own turnutils_uclient (same package as turnserver).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COTURN_INSTALL, startCoturn, type Coturn } from "../../scripts/cluster/coturn.js";
import { TURN_RELAY_ADDRESS } from "../../scripts/cluster/turn-peers.js";
import { loadConfig } from "../src/config.js";
import { iceServersFor } from "../src/realtime/ice.js";
import type { IceServer } from "@videochat/protocol";

const HOUR_MS = 3_600_000;

/**
 * Runs one allocation with turnutils_uclient (no data sent; its peer, -e, is another relay's address,
 * the only peer the cluster's coturn permits); resolves with its exit code (0: allocated).
 */
function allocate(port: number, server: IceServer): Promise<number> {
  const args = ["-u", server.username!, "-w", server.credential!, "-p", String(port), "-n", "0", "-m", "1"];
  const client = spawn("turnutils_uclient", [...args, "-e", TURN_RELAY_ADDRESS, "127.0.0.1"], {
    stdio: "ignore",
  });
  return new Promise((resolve, reject) => {
    client.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(`turnutils_uclient is missing: ${COTURN_INSTALL}`) : error),
    );
    client.once("exit", (code) => resolve(code ?? -1));
  });
}

describe("TURN credentials against a real coturn", () => {
  let dir: string;
  let coturn: Coturn;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "videochat-coturn-"));
    coturn = await startCoturn({ dir });
  });

  afterAll(async () => {
    await coturn?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const turnFor = (userId: string, nowMs: number, secret = coturn.secret): IceServer => {
    const ice = loadConfig({ TURN_URLS: coturn.env.TURN_URLS, TURN_SECRET: secret, TURN_TTL_S: "3600" }).ice;
    const [turn] = iceServersFor(userId, ice, nowMs);
    expect(turn!.urls).toEqual(coturn.urls);
    return turn!;
  };

  it("allocates a relay with the credentials issued to a user", async () => {
    expect(await allocate(coturn.port, turnFor("u-alice", Date.now()))).toBe(0);
    expect(coturn.allocations()).toBeGreaterThanOrEqual(1);
  });

  it("refuses credentials past their expiry and credentials from another secret", async () => {
    const before = coturn.allocations();
    expect(await allocate(coturn.port, turnFor("u-bob", Date.now() - 2 * HOUR_MS))).not.toBe(0);
    expect(await allocate(coturn.port, turnFor("u-bob", Date.now(), "not-the-secret"))).not.toBe(0);
    expect(coturn.allocations()).toBe(before);
    expect(coturn.log()).toMatch(/error 401: Unauthorized/);
  });
});
