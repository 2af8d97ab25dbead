// After this instance was cut off from Redis, pub/sub may have dropped broadcasts meant for its
// sockets, and Redis may have come back empty. Every local socket attaches again (rebuilding a lost
// session from what the socket holds) and gets its room and private chat again; clients merge by
// message id and member version, so nothing shows twice.
import type { Redis } from "ioredis";
import type { RealtimeDeps } from "../realtime/deps.js";
import { reattachAll } from "../realtime/lost.js";

/** `outage` hears when the subscriber is cut off and when Redis is back, before the resync. */
export function resyncAfterOutage(
  subscriber: Redis,
  deps: RealtimeDeps,
  outage: { cut(): void; back(): void } = { cut() {}, back() {} },
): void {
  let cutOff = false;
  subscriber.on("close", () => {
    cutOff = true;
    outage.cut();
  });
  subscriber.on("ready", () => {
    if (!cutOff) return;
    cutOff = false;
    outage.back();
    deps.logger.warn("Redis is back: re-attaching local sockets and resending their state");
    void reattachAll(deps);
  });
}
