// After this instance was cut off from Redis, pub/sub may have dropped broadcasts meant for its
// sockets. The Store kept everything, so each local socket gets its room and private chat again;
// clients merge by message id and member version, so nothing shows twice.
import type { Redis } from "ioredis";
import { roomState } from "../realtime/announce.js";
import type { RealtimeDeps } from "../realtime/deps.js";
import { resendChat } from "../realtime/private.js";

export function resyncAfterOutage(
  subscriber: Redis,
  deps: Pick<RealtimeDeps, "io" | "store" | "logger">,
): void {
  let cutOff = false;
  subscriber.on("close", () => (cutOff = true));
  subscriber.on("ready", () => {
    if (!cutOff) return;
    cutOff = false;
    deps.logger.warn("Redis is back: resending room and private chat state to local sockets");
    void resyncLocalSockets(deps);
  });
}

async function resyncLocalSockets({ io, store, logger }: Pick<RealtimeDeps, "io" | "store" | "logger">) {
  for (const socket of io.of("/").sockets.values()) {
    try {
      const session = await store.getSession(socket.data.userId);
      if (!session) continue;
      socket.emit("room:state", await roomState({ store }, session.room));
      if (session.chatId) await resendChat({ io, store }, socket, session.chatId);
    } catch (error) {
      logger.error({ err: error, userId: socket.data.userId }, "resync failed");
    }
  }
}
