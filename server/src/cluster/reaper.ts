// Ends sessions whose grace period ran out, after taking over the connections of dead instances.
// Every instance runs one; the Store hands each dead instance and each expired session to exactly
// one of them, so a leave is announced once.
import { announceLeft } from "../realtime/announce.js";
import type { RealtimeDeps } from "../realtime/deps.js";
import { closeChat } from "../realtime/private.js";

const BATCH = 100;

export function startReaper(
  deps: Pick<RealtimeDeps, "io" | "store" | "config" | "logger" | "clock" | "announceOccupancy">,
) {
  let running = false;
  const sweep = async () => {
    if (running) return; // a slow Store must not pile up sweeps
    running = true;
    try {
      const dead = await deps.store.takeOverDeadInstances(
        deps.clock(),
        deps.config.instanceTtlMs,
        deps.config.orphanGraceMs,
      );
      for (const instance of dead) deps.logger.warn({ deadInstance: instance }, "took over a dead instance");
      for (;;) {
        const ended = await deps.store.takeExpiredSessions(deps.clock(), BATCH);
        for (const { session, left } of ended) {
          if (left) announceLeft(deps, left, "timeout");
          if (session.chatId)
            await closeChat(deps, session.chatId, { id: session.id, name: session.name }, "timeout");
          deps.logger.info({ userId: session.id, room: session.room }, "session expired");
        }
        if (ended.length < BATCH) break;
      }
    } catch (error) {
      deps.logger.error({ err: error }, "session sweep failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.config.reaperIntervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
