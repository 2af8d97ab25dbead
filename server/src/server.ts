// The composition root of one instance: each step builds one part from the parts before it, with its
// own module's factory, in dependency order (metrics, Redis, Store, limits, Socket.IO, room counts, HTTP,
// the realtime features, the cluster's reaper and liveness); lifecycle.ts starts and stops them.
import { randomBytes } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import { createApp } from "./app.js";
import { markCrowded } from "./realtime/crowded.js";
import { startLiveness } from "./cluster/liveness.js";
import { startReaper } from "./cluster/reaper.js";
import { resyncAfterOutage } from "./cluster/resync.js";
import type { Config } from "./config.js";
import { close, crash, listen, type Parts } from "./lifecycle.js";
import { guardForwarded } from "./http/proxy.js";
import { createLogger, type Logger } from "./logger.js";
import { countBroadcasts, createMetrics, timeRedis, type Metrics, type MetricsSources } from "./metrics.js";
import type { AppServer, RealtimeDeps } from "./realtime/deps.js";
import { createIo } from "./realtime/io.js";
import { createEventLimits } from "./realtime/limits.js";
import { createPostBudgets } from "./realtime/post-budgets.js";
import { recoverSession } from "./realtime/lost.js";
import { createOccupancyFeed, roomCounts, type CountsStream } from "./realtime/occupancy.js";
import { createLatestFeed } from "./realtime/reach.js";
import { serveRealtime } from "./realtime/serve.js";
import { connectRedis, createSfuStore, createStores } from "./state/backend.js";
import type { SfuStore } from "./state/sfu/contract.js";
import { createSfu, type Sfu } from "./sfu/service.js";
import { instanceKey, type Store } from "./state/store.js";

export interface Instance {
  http: HttpServer;
  io: AppServer;
  store: Store;
  logger: Logger;
  /** Prometheus metrics; served on METRICS_PORT (when set) by `listen()`. */
  metrics: Metrics;
  /** This run of the instance: "<INSTANCE_ID>#<incarnation>"; connection ids start with it. */
  instanceKey: string;
  /** Where group calls' media runs (the Store's SFU part), and the SFU service when JANUS_URLS is set. */
  sfuStore: SfuStore;
  sfu?: Sfu;
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
  const metrics = createMetrics(config.instanceId);
  const redis = connectRedis(config, logger);
  if (redis) timeRedis({ limits: redis.data, store: redis.store, pub: redis.pub, sub: redis.sub }, metrics);
  const { store, own } = createStores(config, redis);
  const sfuStore = createSfuStore(config, redis);
  const limits = createEventLimits(config, redis?.data);
  const io = createIo(config, logger, redis);
  countBroadcasts(io.of("/").adapter, metrics);
  const streams = new Set<CountsStream>();
  const counts = createOccupancyFeed({ io, store, logger, config }, streams);
  const everyRoomCount = counts.everyRoom;
  // Express is the server's request listener before Socket.IO attaches: engine.io then answers
  // /socket.io/ itself and passes every other request on.
  const http = createServer(
    createApp({
      config,
      store,
      logger,
      clock: Date.now,
      streams,
      everyRoomCount,
      // The reaper starts below; a reload's kept call place is swept at its deadline from then on.
      deadlineAt: (at) => deps.deadlineAt?.(at),
      crowded: (userIds) => markCrowded(deps, userIds),
    }),
  );
  io.attach(http);
  // Before both: a request's X-Forwarded-* count only with the proxy's secret (TRUST_PROXY_SECRET).
  guardForwarded(http, config.trustProxySecret);
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
    // Charged without the replica barrier: a budget is no acknowledged state (a failover may forget
    // a batch, which gives the user back at most a batch of messages).
    postBudgets: createPostBudgets(own, postLimit(config), { clock: Date.now, logger }),
    announceOccupancy: counts.changed,
    everyRoomCount,
    roomVersionAfter: counts.versionAfter,
    recoverSession: (socket) => recoverSession(socket, deps),
    roomPosted: createLatestFeed({ io, store, logger }).posted,
    metrics,
  };
  deps.sfu = createSfu(config, { store: sfuStore, io, logger, cluster: redis !== undefined, metrics });
  metrics.watch(gaugeSources(deps, own, sfuStore));
  // The instance's own bookkeeping is acked to nobody: no replica barrier (a switch must not fail it).
  const bookkeeping = { ...deps, store: own };
  const reaper = startReaper(bookkeeping);
  const liveness = startLiveness(bookkeeping);
  deps.deadlineAt = reaper.dueBy;
  // While Redis is away, and for one TTL after, every heartbeat is old: no instance is taken over.
  if (redis)
    resyncAfterOutage(redis.sub, bookkeeping, {
      cut: () => reaper.quiet(Infinity),
      back: () => reaper.quiet(config.instanceTtlMs),
    });
  serveRealtime(deps);
  const parts: Parts = { config, logger, http, io, deps, redis, counts, streams, reaper, liveness, metrics };
  return {
    http,
    io,
    store,
    logger,
    metrics,
    instanceKey: key,
    sfuStore,
    sfu: deps.sfu,
    listen: () => listen(parts),
    close: () => close(parts),
    crash: () => crash(parts),
  };
}

/** The room-message family's budget as the Store charges it. */
function postLimit(config: Config): { points: number; windowMs: number } {
  const { points, seconds } = config.rateLimits["room-message"];
  return { points, windowMs: seconds * 1000 };
}

/** What the scrape-time gauges read: this instance's sockets, the cluster's rooms, calls and SFU nodes. */
function gaugeSources(deps: RealtimeDeps, store: Store, sfuStore: SfuStore): MetricsSources {
  const sockets = () => deps.io.of("/").sockets.values();
  const { sfu } = deps;
  return {
    sockets: () => deps.io.of("/").sockets.size,
    sessions: () => new Set([...sockets()].map((socket) => socket.data.userId)).size,
    // Read from the Store at each scrape (one call): the feed's cache may be a read window behind.
    roomMembers: async () =>
      (await roomCounts(store, deps.config.rooms)).map(({ name, count }) => ({ room: name, count })),
    groupCallParticipants: () =>
      Promise.all(
        deps.config.rooms.map(async (room) => ({
          room,
          count: (await store.groupCallOf(room))?.participants.length ?? 0,
        })),
      ),
    ...(sfu && {
      sfu: {
        liveNodes: async () => (await sfuStore.liveSfuNodes(Date.now())).length,
        participants: () => sfu.participants,
      },
    }),
  };
}
