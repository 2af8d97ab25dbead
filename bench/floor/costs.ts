// What each guarantee of a room message costs Redis, in commands and microseconds: the app's Store step
// (server/src/state/rooms/rooms.lua.ts postRoomMessage) and its parts, timed one at a time against a fresh
// Redis, beside the floor's one SPUBLISH. Two figures per row: Redis's CPU time per call (INFO cpu,
// around the row: what the step costs Redis's one core, with its loopback I/O and the commands inside
// a script) and the median of `--rounds` sequential round trips from one client (loopback and the
// client's scheduling included; the PING row is that alone, and on a busy machine it dominates).
//
//   npx tsx bench/floor/costs.ts [--rounds 3000]
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { startRedis } from "../../scripts/cluster/redis.js";
import { RedisScripts } from "../../server/src/state/redis-client.js";
import { RedisRooms } from "../../server/src/state/rooms/redis.js";
import { HISTORY_LIMIT } from "../../server/src/state/types.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3000" } } });
const rounds = Number(values.rounds);
const server = await startRedis();
const prefix = "costs";
const scripts = new RedisScripts<keyof typeof RedisRooms.lua>(new Redis(server.url), prefix, [
  RedisRooms.lua,
]);
const redis = scripts.redis;
const room = "GENERAL";
const user = "u1";
await redis.hset(`${prefix}:room:${room}:members`, user, "{}", `${user}|post`, 2097152);
const message = JSON.stringify({ room, from: { id: user, name: "Jo" }, text: "hello there", at: Date.now() });

/** Redis's CPU time so far (user + system), µs: unlike its commandstats' usec, not moved by waiting for a core. */
async function redisCpuMicros(): Promise<number> {
  const cpu = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)![1]);
  return 1e6 * (field("used_cpu_user") + field("used_cpu_sys"));
}

/**
 * Median client microseconds of `rounds` sequential calls of `once` (after a tenth as many unmeasured),
 * and Redis's CPU microseconds per call (the loopback I/O of each call included).
 */
async function time(once: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < rounds / 10; i++) await once();
  const cpuFrom = await redisCpuMicros();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  const inRedis = ((await redisCpuMicros()) - cpuFrom) / rounds;
  return [samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!, inRedis];
}

const senders = Array.from({ length: 10 }, (_, i) => [`u${i}`, 1]).flat();
const lua = (body: string) => () => redis.eval(body, 0, prefix, room, user);
const rows: [string, string, () => Promise<unknown>][] = [
  ["round trip alone (PING)", "0", () => redis.ping()],
  ["floor: the broadcast (SPUBLISH, no subscriber)", "1", () => redis.spublish(`c:${room}`, message)],
  ["an empty script (EVAL return 1)", "1", lua("return 1")],
  [
    "before: membership and budget (HINCRBY of the budget beside the member entry, in a script)",
    "1 + 1",
    lua("return redis.call('HINCRBY', ARGV[1] .. ':room:' .. ARGV[2] .. ':members', ARGV[3] .. '|post', 1)"),
  ],
  [
    "the app's step (postRoomMessage: INCR id, RPUSH, LTRIM in batches)",
    "1 + 2",
    () => scripts.call("postRoomMessage", room, message, HISTORY_LIMIT, Date.now(), "", "", 0, 0),
  ],
  [
    "the budgets' batch (chargeRoomMessages, 10 senders: INCRBY each), per call",
    "1 + 10",
    () => scripts.call("chargeRoomMessages", 10_000, Date.now(), ...senders),
  ],
];
try {
  console.log(
    `${rounds} sequential calls each, median; load ${(await import("node:os"))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(", ")}`,
  );
  console.log("Redis CPU µs/call  round trip µs  commands  step");
  for (const [name, commands, once] of rows) {
    const [roundTrip, inRedis] = await time(once);
    console.log(
      `${inRedis.toFixed(1).padStart(17)}  ${roundTrip.toFixed(0).padStart(13)}  ${commands.padEnd(8)}  ${name}`,
    );
  }
} finally {
  await scripts.close();
  await server.stop();
}
