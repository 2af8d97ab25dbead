// Builds one instance: Store, Socket.IO (with the Redis adapter when Redis is configured), Express, reaper.
import { randomBytes } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { Redis, type RedisOptions } from "ioredis";
import { Server } from "socket.io";
import { createApp } from "./app.js";
import { startLiveness } from "./cluster/liveness.js";
import { startReaper } from "./cluster/reaper.js";
import { resyncAfterOutage } from "./cluster/resync.js";
import type { Config } from "./config.js";
import { compileTrust } from "./http/proxy.js";
import { createLogger, type Logger } from "./logger.js";
import { countBroadcasts, createMetrics, timeRedis, type Metrics } from "./metrics.js";
import * as calls from "./realtime/calls.js";
import * as chat from "./realtime/chat.js";
import * as group from "./realtime/group.js";
import * as media from "./realtime/media.js";
import * as occupancy from "./realtime/occupancy.js";
import type { AppServer, RealtimeDeps } from "./realtime/deps.js";
import { listenForMoves } from "./realtime/follow.js";
import { authenticate, handshakesSettled } from "./realtime/handshake.js";
import { listenForResync, recoverSession } from "./realtime/lost.js";
import { checkOrigin, ownHostNames, type OriginPolicy } from "./realtime/origin.js";
import { Events } from "./realtime/handler.js";
import { createEventLimits, type EventLimits } from "./realtime/limits.js";
import { boundOutbound } from "./realtime/outbound.js";
import * as presence from "./realtime/presence.js";
import * as privateChat from "./realtime/private.js";
import * as rooms from "./realtime/rooms.js";
import * as session from "./realtime/session.js";
import { memoryStore } from "./state/memory.js";
import { redisStore } from "./state/redis.js";
import { instanceKey, type Store } from "./state/store.js";

export interface Instance {
  http: HttpServer;
  io: AppServer;
  store: Store;
  logger: Logger;
  /** Prometheus metrics (index.ts serves them on METRICS_PORT). */
  metrics: Metrics;
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

function redisClient(config: Config, logger: Logger, role: string, options: RedisOptions = {}): Redis {
  const client = new Redis(config.redisUrl, { connectionName: `${config.instanceId}:${role}`, ...options });
  client.on("error", (error) => logger.warn({ err: error, role }, "redis connection error"));
  return client;
}

export function createInstance(config: Config, options: { logger?: Logger } = {}): Instance {
  const logger = options.logger ?? createLogger(config);
  const redisClients: Redis[] = [];
  /** The connections that carry Store writes (and the rate limits): a crash drops them first. */
  const storeClients: Redis[] = [];
  let store: Store;
  let limits: EventLimits;
  if (config.redisUrl) {
    const data = redisClient(config, logger, "store");
    redisClients.push(data);
    const storeClient = data.duplicate();
    storeClients.push(data, storeClient);
    storeClient.on("error", (error) => logger.warn({ err: error, role: "store" }, "redis connection error"));
    store = redisStore(storeClient, config.redisPrefix);
    limits = createEventLimits(config, data);
  } else {
    store = memoryStore();
    limits = createEventLimits(config);
  }

  // Express must be the server's request listener before Socket.IO attaches: engine.io then answers
  // /socket.io/ itself and passes every other request on.
  const streams = new Set<occupancy.CountsStream>();
  // The occupancy feed needs the Socket.IO server, which needs this HTTP server: asked only once serving.
  const everyRoomCount = () => counts.everyRoom();
  const http = createServer(createApp({ config, store, logger, clock: Date.now, streams, everyRoomCount }));
  const originPolicy: OriginPolicy = {
    publicOrigins: config.publicOrigins,
    trust: compileTrust(config.trustProxy),
    ownHostNames: ownHostNames(),
  };
  const io: AppServer = new Server(http, {
    serveClient: false,
    perMessageDeflate: false, // it multiplies per-connection memory; chat payloads are small
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    // Engine.IO answers a refusal with 403 (polling) or 400 (WebSocket) and this message as the body.
    allowRequest: (req, callback) => {
      const verdict = checkOrigin(req, originPolicy);
      if (verdict.ok) return callback(null, true);
      logger.info({ origin: req.headers.origin, host: req.headers.host }, verdict.message);
      callback(verdict.message, false);
    },
  });
  if (config.redisUrl) {
    const pub = redisClient(config, logger, "pub");
    // The sharded adapter never handles its (un)subscribe promises: with ioredis's default of 20
    // retries, an outage over about 10 s while sockets leave or join rooms rejected them unhandled and
    // killed the process. Without a bound they wait in the offline queue and run, in order, once
    // Redis is back (a handful per room change; publishes keep the bound and their errors are caught).
    const sub = redisClient(config, logger, "sub", { maxRetriesPerRequest: null });
    redisClients.push(pub, sub); // sub last: resyncAfterOutage watches it
    io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" }));
  }

  const counts = occupancy.createOccupancyFeed({ io, store, logger, config }, streams);
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
  const metrics = createMetrics(config.instanceId, deps);
  deps.metrics = metrics;
  countBroadcasts(io, metrics);
  // In creation order: the limits' connection (also the Store's first), the Store's, the adapter's two.
  const roles = ["limits", "store", "pub", "sub"];
  const commandClients = [...new Set([...storeClients, ...redisClients])];
  timeRedis(
    commandClients.map((client, i) => ({ role: roles[i] ?? `redis${i}`, client })),
    metrics,
  );

  // While Redis is away, and for one TTL after, every heartbeat is old: no instance is taken over.
  if (redisClients.length > 0)
    resyncAfterOutage(redisClients.at(-1)!, deps, {
      cut: () => reaper.quiet(Infinity),
      back: () => reaper.quiet(config.instanceTtlMs),
    });
  listenForMoves(io);
  listenForResync(deps);
  // Every feature's handlers, once per server; each socket gets one listener that dispatches to them.
  const events = new Events(deps);
  for (const feature of [session, rooms, presence, chat, privateChat, calls, group, media, occupancy])
    feature.register(events, deps);
  io.use(authenticate(deps));
  io.on("connection", (socket) => {
    // The raw request would stay referenced for the connection's life; the handshake has what we use.
    (socket.conn as { request: unknown }).request = null;
    boundOutbound(socket, config.outboundBufferMaxBytes, logger, metrics.outboundCut);
    // The listener first, synchronously, so no event sent right after connecting is missed.
    events.attach(socket);
    session.detachOnDisconnect(socket, deps);
    session.start(socket, deps).catch((error: unknown) => {
      logger.error({ err: error, userId: socket.data.userId }, "connection start failed");
      socket.disconnect(true);
    });
  });

  const reaper = startReaper(deps);
  const liveness = startLiveness(deps);

  return {
    http,
    io,
    store,
    logger,
    metrics,
    instanceKey: key,
    // Registered (and predecessors taken over) before the first connection can attach.
    listen: async () => {
      await liveness.start();
      return new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(config.port, config.host, () => {
          logger.info({ port: (http.address() as AddressInfo).port, store: store.kind }, "listening");
          resolve((http.address() as AddressInfo).port);
        });
      });
    },
    close: async () => {
      reaper.stop();
      counts.stop();
      for (const stream of streams) stream.end();
      // Detach every local connection before the Store closes, so their sessions get a grace period
      // and can resume on another instance.
      const local = [...io.of("/").sockets.values()];
      await Promise.all(
        local.map((socket) =>
          store
            .detachConnection(
              socket.data.userId,
              deps.connectionId(socket),
              Date.now() + config.sessionGraceMs,
            )
            .catch(() => undefined),
        ),
      );
      await io.close(); // also closes the HTTP server
      await handshakesSettled(); // a handshake's attach is detached before the Store closes
      await liveness.stop();
      await store.close();
      await Promise.all(redisClients.map((client) => client.quit().catch(() => client.disconnect())));
      logger.info("closed");
    },
    crash: async () => {
      reaper.stop();
      counts.stop();
      for (const client of storeClients) client.disconnect();
      io.engine.close(); // every transport cut: the disconnect handlers' detach writes now fail
      http.closeAllConnections();
      http.close();
      await liveness.stop(); // its retire fails too: the registry still holds this run
      // The adapter's unsubscriptions from the cut sockets are in flight: let them finish, then go.
      const adapterClients = redisClients.filter((client) => !storeClients.includes(client));
      await Promise.all(adapterClients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
