// Every Redis connection of an instance, from the configuration: a single Redis (REDIS_URL) or the
// primary that Sentinel names (REDIS_SENTINELS), asked again at every reconnect.
import { Redis, type RedisOptions } from "ioredis";
import type { Config, RedisSentinelConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { Switching } from "./replicated.js";

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
  if (settings.autoResendUnfulfilledCommands === false) failUnansweredOnClose(client);
  return client;
}

/** The part of ioredis's internals that holds the commands a closed connection left unanswered. */
interface UnansweredQueue {
  prevCommandQueue?: { length: number; shift(): { command: { reject(error: Error): void } } } | null;
}

/**
 * Without autoResendUnfulfilledCommands, ioredis keeps the commands that a broken connection left
 * unanswered until the next connection is ready and then drops them unsettled: each caller waited for
 * its commandTimeout (3 s) before its write was refused, on top of the switch (seen in the Sentinel
 * drill as "Command timed out" up to 3 s after the Store had reconnected). They fail at once instead,
 * as a closed connection's commands do (retryable: the write may or may not have been applied).
 */
function failUnansweredOnClose(client: Redis): void {
  client.on("reconnecting", () => {
    const internals = client as unknown as UnansweredQueue;
    const queue = internals.prevCommandQueue;
    if (!queue) return;
    internals.prevCommandQueue = null;
    while (queue.length > 0) queue.shift().command.reject(new Error("Connection is closed."));
  });
}

/** How long one sentinel may take to answer whether the primary is being replaced. */
const SENTINEL_ASK_MS = 1_000;

/**
 * Whether the sentinels are replacing the primary with run id `runId` (see replicaBarrier): each
 * configured sentinel is asked `SENTINEL MASTER <name>` on a connection of its own; a failover in
 * progress (only the leading sentinel flags it), another primary's run id, or a sentinel that does not
 * answer within a second all count as yes, so that a doubt refuses a write (retryably) rather than
 * acknowledging one a switch could take back. Asked only when fewer replicas confirmed than followed.
 */
export function sentinelWatch(sentinel: RedisSentinelConfig): Switching {
  const ask = async (host: string, port: number, runId: string): Promise<boolean> => {
    const client = new Redis({
      host,
      port,
      ...(sentinel.sentinelPassword ? { password: sentinel.sentinelPassword } : {}),
      connectTimeout: SENTINEL_ASK_MS,
      commandTimeout: SENTINEL_ASK_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined); // the answer (or its absence) is what counts
    try {
      const fields = (await client.call("SENTINEL", "MASTER", sentinel.name)) as string[];
      const record = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i]!, fields[i + 1]!);
      const flags = (record.get("flags") ?? "").split(",");
      const named = record.get("run-id") ?? record.get("runid") ?? "";
      return flags.includes("failover_in_progress") || (named !== "" && named !== runId);
    } finally {
      client.disconnect();
    }
  };
  return async (runId) => {
    const answers = await Promise.allSettled(
      sentinel.sentinels.map(({ host, port }) => ask(host, port, runId)),
    );
    return answers.some((answer) => answer.status === "rejected" || answer.value);
  };
}
