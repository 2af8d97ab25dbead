// Every Redis connection of an instance, from the configuration: a single Redis (REDIS_URL) or the
// primary that Sentinel names (REDIS_SENTINELS), asked again at every reconnect.
import { Redis, type RedisOptions } from "ioredis";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";

/**
 * A demoted primary answers writes with READONLY until its clients reconnect; such a write was not
 * applied, so reconnecting (to whatever the sentinels name now) and sending it again is safe
 * (ioredis: 2 = reconnect and resend the failed command).
 */
const reconnectOnReadonly = (error: Error) => (error.message.startsWith("READONLY") ? 2 : false);

/** The ioredis options that reach the configured Redis, plus `options` (which win). */
export function redisOptions(
  config: Pick<Config, "redisUrl" | "redisSentinel" | "instanceId">,
  role: string,
  options: RedisOptions = {},
): RedisOptions {
  const base: RedisOptions = { connectionName: `${config.instanceId}:${role}` };
  const sentinel = config.redisSentinel;
  if (!sentinel) return { ...base, ...options };
  return {
    ...base,
    sentinels: sentinel.sentinels,
    name: sentinel.name,
    role: "master",
    // No failoverDetector: in the drill it once left a Store connection closed for good ("Connection
    // is closed" on every command) after a SIGKILLed primary. A demoted primary closes its clients or
    // answers READONLY, which moves them as well.
    ...(sentinel.password ? { password: sentinel.password } : {}),
    ...(sentinel.sentinelPassword ? { sentinelPassword: sentinel.sentinelPassword } : {}),
    reconnectOnError: reconnectOnReadonly,
    ...options,
  };
}

/** A logged connection to the configured Redis; `role` names it in CLIENT LIST and in the logs. */
export function connectRedis(
  config: Pick<Config, "redisUrl" | "redisSentinel" | "instanceId">,
  logger: Logger,
  role: string,
  options: RedisOptions = {},
): Redis {
  const settings = redisOptions(config, role, options);
  const client = config.redisSentinel ? new Redis(settings) : new Redis(config.redisUrl, settings);
  client.on("error", (error) => logger.warn({ err: error, role }, "redis connection error"));
  return client;
}
