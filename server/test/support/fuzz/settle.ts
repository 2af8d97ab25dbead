// The end of a fuzz run: wait until the system settles (or the configured deadlines have surely
// passed), then collect every broken invariant.
import type { Redis } from "ioredis";
import { vi } from "vitest";
import { join, request } from "../clients.js";
import { deliveryProblems, historyProblems, messageProblems } from "./deliveries.js";
import { settledProblems } from "./invariants.js";
import { readStore } from "./snapshot.js";
import { FUZZ_ENV } from "./instances.js";
import type { World } from "./world.js";

const ms = (key: keyof typeof FUZZ_ENV) => Number(FUZZ_ENV[key]);
/**
 * The longest a correct system may take to settle after the last step: an instance killed at the
 * very end is declared dead after the instance TTL, its sessions expire after the orphan grace, a
 * tab closed at the end after the session grace, a call rings out; plus slack for a loaded machine.
 */
export const SETTLE_MS =
  ms("INSTANCE_TTL_MS") + ms("ORPHAN_GRACE_MS") + ms("SESSION_GRACE_MS") + ms("CALL_RING_TIMEOUT_MS") + 4_000;

export interface Limits {
  rssMb: number;
}

/** Every invariant broken at the end of the run; empty when the run passed. */
export async function finish(world: World, redis: Redis, limits: Limits): Promise<string[]> {
  const started = Date.now();
  const prefix = FUZZ_ENV.REDIS_PREFIX;
  let problems: string[] = [];
  // Read again until nothing is broken: the state settles by itself (deadlines fire), with no event to
  // wait for. Still broken after SETTLE_MS: the run failed, and the problems say how.
  await vi
    .waitFor(
      async () => {
        problems = settledProblems(world, await readStore(redis, prefix), ms("CALL_RING_TIMEOUT_MS"));
        if (problems.length > 0) throw new Error("not settled");
      },
      { timeout: SETTLE_MS, interval: 100 },
    )
    .catch(() => undefined);
  if (problems.length > 0) problems.unshift(`not settled ${Date.now() - started} ms after the last step:`);
  world.note(`settled after ${Date.now() - started} ms`);

  const snap = await readStore(redis, prefix);
  problems.push(
    ...deliveryProblems(world.tabs, world.truth),
    ...historyProblems(world.truth, snap),
    ...messageProblems(world.truth, snap),
    ...world.truth.problems,
    ...world.truth.errors.map((line) => `an instance logged an error: ${line.slice(0, 600)}`),
  );
  for (const { slot, url } of world.live()) problems.push(...(await aliveProblems(slot.id, url)));
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  if (rssMb > limits.rssMb) problems.push(`RSS ${rssMb.toFixed(0)} MB is over ${limits.rssMb} MB`);
  return problems;
}

/** A live instance answers its health check and serves a new user end to end. */
async function aliveProblems(id: string, url: string): Promise<string[]> {
  try {
    const health = await fetch(`${url}/api/health`);
    if (health.status !== 200) return [`${id} health answered ${health.status}`];
    const probe = await join(url, `Probe ${id.slice(-1)}`);
    const ack = await request(probe.socket, "room:message", { text: "still serving" });
    probe.socket.disconnect();
    return ack.ok ? [] : [`${id} refused a probe message: ${JSON.stringify(ack)}`];
  } catch (error) {
    return [`${id} does not serve: ${String(error)}`];
  }
}
