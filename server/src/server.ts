// The composition root of one instance: each step builds one part from the parts before it, with its
// own module's factory, in dependency order (Redis, Store, limits, Socket.IO, room counts, HTTP, the
// realtime features, the cluster's reaper and liveness); lifecycle.ts starts and stops them.
import { randomBytes } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import { createApp } from "./app.js";
import { startLiveness } from "./cluster/liveness.js";
import { startReaper } from "./cluster/reaper.js";
import { resyncAfterOutage } from "./cluster/resync.js";
import type { Config } from "./config.js";
import { close, crash, listen, type Parts } from "./lifecycle.js";
import { createLogger, type Logger } from "./logger.js";
import type { AppServer, RealtimeDeps } from "./realtime/deps.js";
import { createIo } from "./realtime/io.js";
import { createEventLimits } from "./realtime/limits.js";
import { recoverSession } from "./realtime/lost.js";
import { createOccupancyFeed, type CountsStream } from "./realtime/occupancy.js";
import { serveRealtime } from "./realtime/serve.js";
import { connectRedis, createStores } from "./state/backend.js";
import { instanceKey, type Store } from "./state/store.js";

export interface Instance {
  http: HttpServer;
  io: AppServer;
  store: Store;
  logger: Logger;
  /** This run of the instance: "<INSTANCE_ID>#<incarnation>"; connection ids start with it. */
  instanceKey: string;
  /** Listens on config.port (0 picks a free one) and resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
  /**
   * For failure tests: stops as a killed process would. The Store's Redis connections drop first, so
   * nothing is detached or retired; the sockets are cut without a goodbye, and the other instances
   * (or the next run of this id) must take over what this run leaves.
   */
  crash(): Promise<void>;
}

/** Builds one instance from `config`; nothing listens until `listen()`. */
export function createInstance(config: Config, options: { logger?: Logger } = {}): Instance {
  const logger = options.logger ?? createLogger(config);
  const redis = connectRedis(config, logger);
  const { store, own } = createStores(config, redis);
  const limits = createEventLimits(config, redis?.data);
  const io = createIo(config, logger, redis);
  const streams = new Set<CountsStream>();
  const counts = createOccupancyFeed({ io, store, logger, config }, streams);
  const everyRoomCount = counts.everyRoom;
  // Express is the server's request listener before Socket.IO attaches: engine.io then answers
  // /socket.io/ itself and passes every other request on.
  const http = createServer(createApp({ config, store, logger, clock: Date.now, streams, everyRoomCount }));
  io.attach(http);
  // A new incarnation at every start: this run never inherits a predecessor's connections.
  const key = instanceKey(config.instanceId, randomBytes(4).toString("hex"));
  const deps: RealtimeDeps = {
    io,
    instanceKey: key,
    connectionId: (socket) => `${key}/${socket.id}`,
    store,
    config,
    logger,
    clock: Date.now,
    limits,
    announceOccupancy: counts.changed,
    everyRoomCount,
    recoverSession: (socket) => recoverSession(socket, deps),
  };
  // The instance's own bookkeeping is acked to nobody: no replica barrier (a switch must not fail it).
  const bookkeeping = { ...deps, store: own };
  const reaper = startReaper(bookkeeping);
  const liveness = startLiveness(bookkeeping);
  // While Redis is away, and for one TTL after, every heartbeat is old: no instance is taken over.
  if (redis)
    resyncAfterOutage(redis.sub, bookkeeping, {
      cut: () => reaper.quiet(Infinity),
      back: () => reaper.quiet(config.instanceTtlMs),
    });
  serveRealtime(deps);
  const parts: Parts = { config, logger, http, io, deps, redis, counts, streams, reaper, liveness };
  return {
    http,
    io,
    store,
    logger,
    instanceKey: key,
    listen: () => listen(parts),
    close: () => close(parts),
    crash: () => crash(parts),
  };
}
