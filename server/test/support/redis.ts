// A real redis-server for one test file (see scripts/cluster/redis.ts), plus a flush between tests.
import { Redis } from "ioredis";
import { startRedis as start, type RedisOptions, type RedisServer } from "../../../scripts/cluster/redis.js";

export interface RedisProcess extends RedisServer {
  flush(): Promise<void>;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisProcess> {
  const server = await start(options);
  return {
    ...server,
    flush: async () => {
      const client = new Redis(server.url);
      await client.flushall();
      client.disconnect();
    },
  };
}
