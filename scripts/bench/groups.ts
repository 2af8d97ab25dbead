// The bench's groups of rows, each on two fresh instances over an emptied Redis, so that what one
// group leaves behind (thousands of sessions, their grace periods) cannot weigh on the next.
import { callRow } from "./call.js";
import { commandRows, COMMAND_ROOMS } from "./commands.js";
import { fanOutRows, FANOUT_ROOMS } from "./fanout.js";
import { floodRow, FLOOD_ROOM } from "./flood.js";
import { heldRows, HELD_ROOMS } from "./held.js";
import type { Pool } from "./pool.js";
import { rampRow, RAMP_ROOM } from "./ramp.js";
import { sfuRow } from "./sfu.js";
import type { Bench, Row } from "./row.js";
import type { Stacks } from "./side-by-side.js";
import { startFloor, startInstances, stopInstances, type BenchInstance, type BenchRedis } from "./stack.js";

export const GROUPS = ["fanout", "ramp10", "ramp50", "held", "flood", "call", "sfu", "commands"] as const;
type Group = (typeof GROUPS)[number];

/**
 * Every simulated user claims its session from 127.0.0.1, where people come from addresses of their
 * own: no claim budget, and no address is crowded (its sessions would spend its budgets, one more Redis
 * command per room message, which ordinary users do not pay).
 */
const ONE_ADDRESS = {
  SESSION_CLAIMS_PER_MIN: "10000000",
  SESSIONS_PER_ADDRESS: "10000000",
  ADDRESS_CROWDED_SESSIONS: "10000000",
};

/**
 * Lifted where a row is not about limits: every simulated user claims its session from 127.0.0.1,
 * and the fan-out rows send far faster than one person may. Every event is still charged (one Redis
 * call each), as in production.
 */
const GENEROUS = {
  ...ONE_ADDRESS,
  RATE_LIMITS: "room-message=10000000/10,presence=10000000/10,session-leave=10000000/10",
};

const ROOMS: Record<Exclude<Group, "call" | "sfu">, string[]> = {
  fanout: [...FANOUT_ROOMS, ...COMMAND_ROOMS],
  commands: COMMAND_ROOMS,
  ramp10: [RAMP_ROOM],
  ramp50: [RAMP_ROOM],
  held: HELD_ROOMS,
  flood: [FLOOD_ROOM],
};

export interface RunOptions {
  pool: Pool;
  redis: BenchRedis;
  /** The floor's own Redis (bench/floor/): the fan-out group runs every row on the floor as well. */
  floorRedis?: BenchRedis;
  quick: boolean;
  profileRow?: string;
  resultsDir: string;
  /** In the held row, one user in this many watches room counts; 0: none. */
  watchEvery?: number;
  progress(line: string): void;
}

async function rowsOf(group: Exclude<Group, "call" | "sfu">, bench: Bench, floor?: Bench): Promise<Row[]> {
  switch (group) {
    case "fanout": {
      const stacks: Stacks = { app: bench, floor, passes: bench.quick ? 1 : 2 };
      return [...(await fanOutRows(stacks)), ...(await commandRows(stacks))];
    }
    case "commands":
      // The command rows alone (the fan-out group runs them too), app and floor, interleaved.
      return commandRows({ app: bench, floor, passes: bench.quick ? 1 : 2 });
    case "ramp10":
      return [await rampRow(bench, 10)];
    case "ramp50":
      return [await rampRow(bench, 50)];
    case "held":
      return heldRows(bench);
    case "flood":
      return [await floodRow(bench)];
  }
}

export async function runGroups(groups: string[], options: RunOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const group of groups as Group[]) {
    const started = performance.now();
    if (group === "call") {
      rows.push(await callRow(options.quick));
    } else if (group === "sfu") {
      // Its own Janus and instances (scripts/bench/sfu.ts), on the run's Redis.
      rows.push(await sfuRow(options.redis, options.quick, options.progress));
    } else {
      // The flood row is about the limits: it runs with the defaults but the per-address claim limit.
      const limits = group === "flood" ? ONE_ADDRESS : GENEROUS;
      const instances = await startInstances(options.redis, { ...limits, ROOMS: ROOMS[group].join(",") });
      let floorInstances: BenchInstance[] = [];
      try {
        const bench: Bench = { ...options, instances };
        let floor: Bench | undefined;
        if ((group === "fanout" || group === "commands") && options.floorRedis) {
          floorInstances = await startFloor(options.floorRedis);
          floor = { ...options, redis: options.floorRedis, instances: floorInstances };
        }
        rows.push(...(await rowsOf(group, bench, floor)));
      } finally {
        await options.pool.closeAll();
        await stopInstances([...instances, ...floorInstances]);
      }
    }
    const took = ((performance.now() - started) / 1000).toFixed(0);
    options.progress(`${group}: ${took} s`);
  }
  return rows;
}
