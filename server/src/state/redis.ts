// Redis Store: shared state for every instance. Multi-key changes run as Lua scripts, which each
// feature brings beside its Redis part; every key starts with the configured prefix so that
// deployments can share one Redis. It builds one part per feature over one connection
// (redis-client.ts) and composes the Store from their methods (compose.ts).
import type { Redis } from "ioredis";
import { composeStore } from "./compose.js";
import { RedisConnections } from "./connections/redis.js";
import { RedisFiles } from "./files/redis.js";
import { RedisGroupCalls } from "./group/redis.js";
import { RedisPrivateChats } from "./private/redis.js";
import { RedisReach } from "./reach/redis.js";
import { RedisRelays } from "./relays/redis.js";
import { RedisScripts } from "./redis-client.js";
import { RedisRooms } from "./rooms/redis.js";
import { RedisSessions } from "./sessions/redis.js";
import type { Store } from "./store.js";
import { PRIVATE_HISTORY_MS, type StoreOptions } from "./types.js";
import { REACH_TTL_MS } from "./reach/contract.js";

const parts = [
  RedisSessions,
  RedisConnections,
  RedisRooms,
  RedisPrivateChats,
  RedisGroupCalls,
  RedisReach,
  RedisFiles,
  RedisRelays,
];

/** A Store on `redis` under `prefix`; takes ownership of `redis` (closes it on close()). */
export function redisStore(redis: Redis, prefix: string, options: StoreOptions = {}): Store {
  const scripts = new RedisScripts(
    redis,
    prefix,
    parts.map((part) => part.lua),
  );
  return composeStore("redis", {
    sessions: new RedisSessions(scripts),
    connections: new RedisConnections(scripts),
    rooms: new RedisRooms(scripts),
    private: new RedisPrivateChats(scripts, options.privateHistoryMs ?? PRIVATE_HISTORY_MS),
    group: new RedisGroupCalls(scripts),
    reach: new RedisReach(scripts, options.reachTtlMs ?? REACH_TTL_MS),
    files: new RedisFiles(scripts),
    relays: new RedisRelays(scripts),
    service: { ping: () => scripts.ping(), close: () => scripts.close() },
  });
}
