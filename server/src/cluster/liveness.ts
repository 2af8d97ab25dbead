// This instance run's heartbeat in the Store. The first beat registers the run (a new incarnation at
// every process start) and takes over whatever an earlier run of the same INSTANCE_ID left. If a later
// beat finds the run dropped from the registry (a long stall made others declare it dead, or Redis
// came back empty), every local socket attaches again and lost sessions are rebuilt or closed.
import { roomChannel } from "../realtime/channels.js";
import type { RealtimeDeps } from "../realtime/deps.js";
import { reattachAll } from "../realtime/lost.js";

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
    stop: async () => {
      clearInterval(timer);
      await store.retireInstance(deps.instanceKey).catch(() => undefined);
    },
  };
}
