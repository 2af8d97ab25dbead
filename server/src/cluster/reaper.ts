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
import { announceClosed } from "../realtime/private.js";
import { fireDepartedPlaces } from "../realtime/places.js";
import { TEXTS } from "../error-texts.js";

const BATCH = 100;
/**
 * The deadlines (grace periods, lost call holders, missed rings and invitations) are swept every this
 * many ticks; dead instances every tick. An idle cluster then costs Redis about 4 commands a second
 * per instance instead of 15 (docs/performance-floor.md). A deadline fires at most this many ticks
 * late (5 s by default, on periods of 12 s and more); rings and invitations also have a timer on the
 * instance that rang, so only a dead ringer's deadlines wait for the sweep; a takeover sweeps at once.
 */
const DEADLINE_TICKS = 5;
/**
 * Dead instances are looked for every this many ticks (2 s by default, beside an instance TTL of
 * about 10 s): one takeover script fewer a second per instance, 5.2 -> about 4.2 commands a second
 * idle. A full sweep (`sweep()`) and a deadline this instance knows is due look at once.
 */
const TAKEOVER_TICKS = 2;

export function startReaper(deps: RealtimeDeps) {
  let running = false;
  /** Until then no instance is taken over (see `quiet`). */
  let quietUntil = 0;
  let tick = 0;
  /**
   * Deadlines this instance knows fall due (a call place's grace), soonest first: each is swept on the
   * first tick at or after it. Several: a second closed tab must not wait behind the first one's sweep.
   */
  let dueAt: number[] = [];
  const due = () => dueAt.length > 0 && deps.clock() >= dueAt[0]!;
  /** `every`: a full sweep (deadlines too), as `sweep()` from outside does; the timer's ticks pass false. */
  const sweep = async (every = true) => {
    if (running) return; // a slow Store must not pile up sweeps
    running = true;
    try {
      const at = tick++;
      const looks = every || at % TAKEOVER_TICKS === 0 || due();
      const { instances: dead, changes } =
        deps.clock() < quietUntil || !looks
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
      // A takeover gives the dead run's sessions deadlines that may be due already: sweep them now.
      const scheduled = at % DEADLINE_TICKS === 0 || due();
      if (!every && dead.length === 0 && !scheduled) return;
      dueAt = dueAt.filter((at) => at > deps.clock());
      // Before the sessions: a place whose page closed ends with its reason ("left"), not as a timeout.
      await fireDepartedPlaces(deps);
      for (;;) {
        const ended = await deps.store.takeExpiredSessions(deps.clock(), BATCH);
        for (const { session, left, leftCall, closedChat } of ended) {
          if (leftCall) await announceLeftCall(deps, leftCall);
          if (left) announceLeft(deps, left, "timeout");
          // No socket may outlive its session: one still connected (its instance was frozen past the
          // grace) is told why and closed; the SPA then claims its name again.
          const tabs = deps.io.in(userChannel(session.id));
          tabs.emit("session:ended", {
            code: "session_unknown",
            message: TEXTS.session_unknown.ended,
          });
          tabs.disconnectSockets(true);
          if (closedChat) announceClosed(deps, closedChat, { id: session.id, name: session.name }, "timeout");
          deps.logger.info({ userId: session.id, room: session.room }, "session expired");
        }
        if (ended.length < BATCH) break;
      }
      const { sessionGraceMs, rooms } = deps.config;
      for (const left of await deps.store.takeLostHolders(deps.clock(), sessionGraceMs, rooms))
        await announceLeftCall(deps, left);
      await fireMissedCalls(deps);
      await fireMissedInvites(deps);
    } catch (error) {
      deps.logger.error({ err: error }, "session sweep failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(false), deps.config.reaperIntervalMs);
  timer.unref();
  return {
    sweep: () => sweep(),
    /**
     * A shortcut, never the only record (the deadline is in the Store): sweeps the deadlines at `at`
     * (ms since the epoch), or on the first tick after it when a sweep was running then, instead of
     * waiting for the every-5th-tick sweep.
     */
    dueBy: (at: number) => {
      dueAt = [...dueAt, at].sort((a, b) => a - b);
      // At the due time itself rather than the next tick after it (up to reaperIntervalMs later).
      setTimeout(() => void sweep(false), Math.max(0, at - deps.clock()) + 1).unref();
    },
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
