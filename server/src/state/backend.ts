// Where cluster state lives: the in-memory Store (one instance, no Redis) or the Redis Store, and the
// instance's Redis connections by role (the Store's, the limits', the adapter's publisher and subscriber).
import type { Redis } from "ioredis";
import { usesRedis, type Config } from "../config.js";
import type { Logger } from "../logger.js";
import { connectRedis as redisConnection, sentinelWatch } from "../redis/connect.js";
import { replicaBarrier, replicated } from "../redis/replicated.js";
import { memoryStore } from "./memory.js";
import { redisStore } from "./redis.js";
import type { SfuStore } from "./sfu/contract.js";
import { MemorySfuStore } from "./sfu/memory.js";
import { RedisSfuStore } from "./sfu/redis.js";
import type { Store } from "./store.js";

/** One instance's Redis connections, each named `<INSTANCE_ID>:<role>` in CLIENT LIST. */
export interface RedisConnections {
  /** The rate limits' connection; the Store's is a duplicate of it. */
  data: Redis;
  /** The Store's connection. */
  store: Redis;
  /** The Socket.IO adapter's publisher. */
  pub: Redis;
  /**
   * The adapter's subscriber. Its (un)subscribe commands wait for Redis however long an outage lasts
   * (no retry bound): the sharded adapter never handles their promises, and with ioredis's default of
   * 20 retries an outage over about 10 s rejected them unhandled and killed the process. Publishes keep
   * the bound and their errors are caught.
   */
  sub: Redis;
}

/** Opens the instance's Redis connections (a single Redis or through Sentinel); none without Redis. */
export function connectRedis(config: Config, logger: Logger): RedisConnections | undefined {
  if (!usesRedis(config)) return undefined;
  const data = redisConnection(config, logger, "limits");
  // A Store write cut off by a switch must not be sent again by ioredis on the new primary: it may
  // have been replicated already (seen in the drill as one message kept twice). It fails instead,
  // as retryable, and the client's re-send is recognised (realtime/resend.ts). A command left
  // unanswered by a switch (seen: acks 20 s late) times out the same way.
  const store = redisConnection(
    config,
    logger,
    "store",
    config.redisSentinel ? { autoResendUnfulfilledCommands: false, commandTimeout: 3_000 } : {},
  );
  const pub = redisConnection(config, logger, "pub");
  const sub = redisConnection(config, logger, "sub", { maxRetriesPerRequest: null });
  return { data, store, pub, sub };
}

/**
 * The instance's Stores: `store` answers the handlers (with Sentinel and `REDIS_REPLICA_ACK=wait`, a
 * call resolves only once a replica has its write); `own` is the same Store without that barrier, for
 * the instance's own bookkeeping that nobody is acked for (reaper, heartbeat, resync).
 */
export function createStores(
  config: Config,
  redis: RedisConnections | undefined,
): { store: Store; own: Store } {
  if (!redis) {
    const store = memoryStore({ privateHistoryMs: config.privateHistoryMs });
    return { store, own: store };
  }
  const own = redisStore(redis.store, config.redisPrefix, { privateHistoryMs: config.privateHistoryMs });
  const sentinel = config.redisSentinel;
  if (sentinel?.replicaAck !== "wait") return { store: own, own };
  const barrier = replicaBarrier(
    redis.store,
    sentinel.replicaTimeoutMs,
    `${config.redisPrefix}:replica-mark`,
    sentinelWatch(sentinel),
  );
  return { store: replicated(own, barrier), own };
}

/** Where group calls' media runs (Janus nodes, placements): on the Store's Redis connection, or in memory. */
export function createSfuStore(config: Config, redis: RedisConnections | undefined): SfuStore {
  return redis ? new RedisSfuStore(redis.store, config.redisPrefix) : new MemorySfuStore();
}
