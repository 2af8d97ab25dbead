// What one instance does when it starts listening, closes cleanly, or (in failure tests) dies.
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { startLiveness } from "./cluster/liveness.js";
import type { startReaper } from "./cluster/reaper.js";
import type { Config } from "./config.js";
import { serveMetrics } from "./http/metrics-endpoint.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import { handshakesSettled } from "./realtime/handshake.js";
import type { AppServer, RealtimeDeps } from "./realtime/deps.js";
import type { CountsStream, OccupancyFeed } from "./realtime/occupancy.js";
import type { RedisConnections } from "./state/backend.js";

/** The running parts of one instance, as the composition root built them. */
export interface Parts {
  config: Config;
  logger: Logger;
  http: HttpServer;
  io: AppServer;
  deps: RealtimeDeps;
  redis: RedisConnections | undefined;
  counts: OccupancyFeed;
  streams: Set<CountsStream>;
  reaper: ReturnType<typeof startReaper>;
  liveness: ReturnType<typeof startLiveness>;
  metrics: Metrics;
  /** The operator's listener (METRICS_PORT), once `listen` opened it. */
  metricsServer?: HttpServer;
}

/**
 * Registers this run (taking predecessors over) before the first connection can attach, opens the
 * metrics listener when METRICS_PORT is set, then listens.
 */
export async function listen(parts: Parts): Promise<number> {
  const { config, logger, http, deps, liveness } = parts;
  await liveness.start();
  await deps.sfu?.start();
  if (config.metrics.port > 0) {
    const served = await serveMetrics(parts.metrics.registry, config.metrics);
    parts.metricsServer = served.server;
    logger.info({ port: served.port }, "metrics served at /metrics");
  }
  return new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => {
      logger.info({ port: (http.address() as AddressInfo).port, store: deps.store.kind }, "listening");
      resolve((http.address() as AddressInfo).port);
    });
  });
}

/** The metrics listener stops answering at once: a scraper's keep-alive connection must not hold it. */
function closeMetrics({ metricsServer }: Parts): void {
  metricsServer?.close();
  metricsServer?.closeAllConnections();
}

/** Stops cleanly: local sessions get their grace (to resume elsewhere), then every part closes. */
export async function close(parts: Parts): Promise<void> {
  const { config, logger, io, deps, redis, counts, streams, reaper, liveness } = parts;
  closeMetrics(parts);
  reaper.stop();
  counts.stop();
  for (const stream of streams) stream.end();
  // Detach every local connection before the Store closes, so their sessions get a grace period
  // and can resume on another instance.
  const local = [...io.of("/").sockets.values()];
  await Promise.all(
    local.map((socket) =>
      deps.store
        .detachConnection(socket.data.userId, deps.connectionId(socket), Date.now() + config.sessionGraceMs)
        .catch(() => undefined),
    ),
  );
  await io.close(); // also closes the HTTP server
  await handshakesSettled(); // a handshake's attach is detached before the Store closes
  await deps.postBudgets.close().catch(() => undefined); // the last messages' charges
  await liveness.stop();
  await deps.sfu?.stop();
  await deps.store.close();
  const clients = redis ? [redis.data, redis.pub, redis.sub] : [];
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  logger.info("closed");
}

/**
 * Stops as a killed process would. The Store's Redis connections drop first, so nothing is detached
 * or retired; the sockets are cut without a goodbye, and the other instances (or the next run of
 * this id) must take over what this run leaves.
 */
export async function crash(parts: Parts): Promise<void> {
  const { http, io, deps, redis, counts, reaper, liveness } = parts;
  closeMetrics(parts);
  reaper.stop();
  counts.stop();
  if (redis) for (const client of [redis.data, redis.store]) client.disconnect();
  io.engine.close(); // every transport cut: the disconnect handlers' detach writes now fail
  http.closeAllConnections();
  http.close();
  void deps.postBudgets.close(); // its charge fails too: a killed process's view dies with it
  await liveness.stop(); // its retire fails too: the registry still holds this run
  await deps.sfu?.stop();
  // The adapter's unsubscriptions from the cut sockets are in flight: let them finish, then go.
  const adapterClients = redis ? [redis.pub, redis.sub] : [];
  await Promise.all(adapterClients.map((client) => client.quit().catch(() => client.disconnect())));
}
