// Where cluster state lives: the in-memory Store (one instance, no Redis) or the Redis Store, and the
// instance's Redis connections by role (the Store's, the limits', the adapter's publisher and subscriber).
import { Redis, type RedisOptions } from "ioredis";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { memoryStore } from "./memory.js";
import { redisStore } from "./redis.js";
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

function redisClient(config: Config, logger: Logger, role: string, options: RedisOptions = {}): Redis {
  const client = new Redis(config.redisUrl, { connectionName: `${config.instanceId}:${role}`, ...options });
  client.on("error", (error) => logger.warn({ err: error, role }, "redis connection error"));
  return client;
}

/** Opens the instance's Redis connections; none without `REDIS_URL` (the in-memory Store). */
export function connectRedis(config: Config, logger: Logger): RedisConnections | undefined {
  if (!config.redisUrl) return undefined;
  const data = redisClient(config, logger, "store");
  const store = data.duplicate();
  store.on("error", (error) => logger.warn({ err: error, role: "store" }, "redis connection error"));
  const pub = redisClient(config, logger, "pub");
  const sub = redisClient(config, logger, "sub", { maxRetriesPerRequest: null });
  return { data, store, pub, sub };
}

/** The Redis Store over `redis.store` when Redis is configured, else a fresh in-memory Store. */
export function createStore(config: Config, redis: RedisConnections | undefined): Store {
  return redis ? redisStore(redis.store, config.redisPrefix) : memoryStore();
}
