// Fires the Store's deadlines: takes over dead instances, ends sessions whose grace period ran out,
// takes out group call participants whose holding tab is gone, and ends calls that rang past their
// deadline. Every instance runs one; the Store hands each dead instance, expired session, lost
// participant and missed call to exactly one of them, so each is announced once.
import { announceLeft } from "../realtime/announce.js";
import { fireMissedCalls } from "../realtime/calls.js";
import { roomChannel, userChannel } from "../realtime/channels.js";
import { announceLeftCall, fireMissedInvites } from "../realtime/group.js";
import type { RealtimeDeps } from "../realtime/deps.js";
import { resyncCluster } from "../realtime/lost.js";
import { closeChat } from "../realtime/private.js";
import { TEXTS } from "../error-texts.js";

const BATCH = 100;

export function startReaper(deps: RealtimeDeps) {
  let running = false;
  /** Until then no instance is taken over (see `quiet`). */
  let quietUntil = 0;
  const sweep = async () => {
    if (running) return; // a slow Store must not pile up sweeps
    running = true;
    try {
      const { instances: dead, changes } =
        deps.clock() < quietUntil
          ? { instances: [], changes: [] }
          : await deps.store.takeOverDeadInstances(
              deps.clock(),
              deps.config.instanceTtlMs,
              deps.config.orphanGraceMs,
            );
      for (const instance of dead) deps.logger.warn({ deadInstance: instance }, "took over a dead instance");
      if (dead.length > 0) deps.metrics?.reaperTakeovers(dead.length);
      if (dead.length > 0) resyncCluster(deps);
      // A member whose remaining tabs are all idle now shows absent.
      for (const change of changes) deps.io.to(roomChannel(change.room)).emit("room:member-updated", change);
      for (;;) {
        const ended = await deps.store.takeExpiredSessions(deps.clock(), BATCH);
        for (const { session, left, leftCall } of ended) {
          if (leftCall) announceLeftCall(deps, leftCall);
          if (left) announceLeft(deps, left, "timeout");
          // No socket may outlive its session: one still connected (its instance was frozen past the
          // grace) is told why and closed; the SPA then claims its name again.
          const tabs = deps.io.in(userChannel(session.id));
          tabs.emit("session:ended", {
            code: "session_unknown",
            message: TEXTS.session_unknown.ended,
          });
          tabs.disconnectSockets(true);
          if (session.chatId)
            await closeChat(deps, session.chatId, { id: session.id, name: session.name }, "timeout");
          deps.logger.info({ userId: session.id, room: session.room }, "session expired");
        }
        if (ended.length < BATCH) break;
      }
      const { sessionGraceMs, rooms } = deps.config;
      for (const left of await deps.store.takeLostHolders(deps.clock(), sessionGraceMs, rooms))
        announceLeftCall(deps, left);
      await fireMissedCalls(deps);
      await fireMissedInvites(deps);
    } catch (error) {
      deps.logger.error({ err: error }, "session sweep failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), deps.config.reaperIntervalMs);
  timer.unref();
  return {
    sweep,
    stop: () => clearInterval(timer),
    /**
     * Takes no instance over for the next `ms` (Infinity: until told otherwise). While and just after
     * Redis was away every heartbeat is old: a silence this instance suffered too is no sign of death
     * until the others could heartbeat again.
     */
    quiet: (ms: number) => {
      quietUntil = deps.clock() + ms;
    },
  };
}
