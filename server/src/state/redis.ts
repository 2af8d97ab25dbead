// Redis Store: shared state for every instance. Multi-key changes run as Lua scripts, which each
// feature brings beside its Redis part; every key starts with the configured prefix so that
// deployments can share one Redis. It builds one part per feature over one connection
// (redis-client.ts) and composes the Store from their methods (compose.ts).
import type { Redis } from "ioredis";
import { composeStore } from "./compose.js";
import { RedisConnections } from "./connections/redis.js";
import { RedisGroupCalls } from "./group/redis.js";
import { RedisPrivateChats } from "./private/redis.js";
import { RedisScripts } from "./redis-client.js";
import { RedisRooms } from "./rooms/redis.js";
import { RedisSessions } from "./sessions/redis.js";
import type { Store } from "./store.js";

const parts = [RedisSessions, RedisConnections, RedisRooms, RedisPrivateChats, RedisGroupCalls];

/** A Store on `redis` under `prefix`; takes ownership of `redis` (closes it on close()). */
export function redisStore(redis: Redis, prefix: string): Store {
  const scripts = new RedisScripts(
    redis,
    prefix,
    parts.map((part) => part.lua),
  );
  return composeStore("redis", {
    sessions: new RedisSessions(scripts),
    connections: new RedisConnections(scripts),
    rooms: new RedisRooms(scripts),
    private: new RedisPrivateChats(scripts),
    group: new RedisGroupCalls(scripts),
    service: { ping: () => scripts.ping(), close: () => scripts.close() },
  });
}
