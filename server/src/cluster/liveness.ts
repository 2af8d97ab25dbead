// This instance run's heartbeat in the Store. The first beat registers the run (a new incarnation at
// every process start) and takes over whatever an earlier run of the same INSTANCE_ID left. If a later
// beat finds the run dropped from the registry (a long stall made others declare it dead, or Redis
// came back empty), every local socket attaches again and lost sessions are rebuilt or closed.
import { roomChannel } from "../realtime/channels.js";
import type { RealtimeDeps } from "../realtime/deps.js";
import { reattachAll, resyncCluster } from "../realtime/lost.js";

export function startLiveness(deps: RealtimeDeps) {
  const { store, config, logger, clock } = deps;
  let registered = false;

  const beat = async () => {
    try {
      const { added, predecessors, changes } = await store.heartbeat(
        deps.instanceKey,
        clock(),
        config.orphanGraceMs,
      );
      for (const predecessor of predecessors)
        logger.warn({ predecessor }, "took over what an earlier run of this instance left");
      if (predecessors.length > 0) resyncCluster(deps);
      for (const change of changes) deps.io.to(roomChannel(change.room)).emit("room:member-updated", change);
      if (added && registered) {
        logger.warn("this instance had been dropped from the registry; re-attaching its connections");
        await reattachAll(deps);
      }
      registered = true;
    } catch (error) {
      logger.warn({ err: error }, "heartbeat failed");
    }
  };

  const timer = setInterval(() => void beat(), config.heartbeatIntervalMs);
  timer.unref();
  return {
    start: beat,
    /** Retires this run: whatever of it is still in the Store gets the session grace (no ghost). */
    stop: async () => {
      clearInterval(timer);
      try {
        const changes = await store.retireInstance(deps.instanceKey, clock() + config.sessionGraceMs);
        for (const change of changes)
          deps.io.to(roomChannel(change.room)).emit("room:member-updated", change);
      } catch {
        // Unretired, the run is taken over once its heartbeat is old (INSTANCE_TTL_MS).
      }
    },
  };
}
