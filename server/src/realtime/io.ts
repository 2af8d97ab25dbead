// The Socket.IO server of one instance: its options, the handshake's Origin check and, with Redis, the
// sharded adapter that carries broadcasts between instances. Attached to the HTTP server afterwards.
import { createShardedAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import { Server } from "socket.io";
import type { Config } from "../config.js";
import { compileTrust } from "../http/proxy.js";
import type { Logger } from "../logger.js";
import type { AppServer } from "./deps.js";
import { checkOrigin, ownHostNames, type OriginPolicy } from "./origin.js";

/**
 * A Socket.IO server not yet attached to an HTTP server (`io.attach(http)` once Express listens
 * there). `adapter`: the publisher and subscriber of the Redis adapter; without, broadcasts stay local.
 */
export function createIo(config: Config, logger: Logger, adapter?: { pub: Redis; sub: Redis }): AppServer {
  const originPolicy: OriginPolicy = {
    publicOrigins: config.publicOrigins,
    trust: compileTrust(config.trustProxy),
    ownHostNames: ownHostNames(),
  };
  const io: AppServer = new Server({
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
  if (adapter) io.adapter(createShardedAdapter(adapter.pub, adapter.sub, { subscriptionMode: "dynamic" }));
  return io;
}
