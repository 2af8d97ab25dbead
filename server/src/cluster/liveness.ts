// This instance's heartbeat in the Store. If the instance finds it was dropped from the registry
// (a long stall or Redis outage made others declare it dead), it re-attaches its live sockets, so
// the takeover cannot expire sessions that are still connected here.
import { connectionId } from "../realtime/session.js";
import type { RealtimeDeps } from "../realtime/deps.js";

export function startLiveness(deps: Pick<RealtimeDeps, "io" | "store" | "config" | "logger" | "clock">) {
  const { io, store, config, logger, clock } = deps;
  let registered = false;

  const beat = async () => {
    try {
      const added = await store.heartbeat(config.instanceId, clock());
      if (added && registered) {
        logger.warn("this instance had been declared dead; re-attaching its connections");
        for (const socket of io.of("/").sockets.values()) {
          await store.attachConnection(socket.data.userId, connectionId(config.instanceId, socket.id));
        }
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
      await store.retireInstance(config.instanceId).catch(() => undefined);
    },
  };
}
