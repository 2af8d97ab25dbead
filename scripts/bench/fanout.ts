// The fan-out rows: a room message reaching rooms of 10, 100 and 500, a presence change and a join
// reaching a room of 500; each time is from the act until the LAST other member has the event.
import {
  lastArrival,
  place,
  populate,
  repeat,
  timeBroadcast,
  BROADCAST_TIMEOUT_MS,
  type Member,
  type Reach,
} from "./population.js";
import { against, measureRow, ms, spread, type Bench, type Outcome, type Row } from "./row.js";
import { elapsedMs } from "./rpc.js";
import { sideBySide, type Stacks } from "./side-by-side.js";

/** The rooms these rows use; each instance must list them in ROOMS. */
export const FANOUT_ROOMS = ["R10", "R100", "R500"];

/** Issue 21: a room message reaches the room within 1.1× the floor's time, at 1.2× its CPU. */
const MESSAGE_TARGET = { atMost: 1.1, cpuAtMost: 1.2 };
const WARM_UP_JOINS = 2;
const SETTLE_MS = 500;

/** Members per room: the nominal size, or a small one for --quick. */
const QUICK_SIZES: Record<string, number> = { R10: 10, R100: 25, R500: 50 };
const sizeOf = (bench: Bench, room: string) => (bench.quick ? QUICK_SIZES[room]! : Number(room.slice(1)));
/** The floor's rooms have their own names: a generator worker tells awaited receivers apart by room. */
const roomOf = (stack: "app" | "floor", room: string) => (stack === "floor" ? `floor-${room}` : room);
type Rooms = Record<"app" | "floor", Record<string, Member[]>>;

function rounds(bench: Bench) {
  return bench.quick ? { warmUp: 2, measured: 5, joins: 3 } : { warmUp: 10, measured: 60, joins: 20 };
}

/** p50 (and spread) of the time until the last receiver, and of the time until the first. */
function reachOutcome(reaches: Reach[], best: number, worst: number, unit: string, units: number): Outcome {
  const last = spread(reaches.map((reach) => reach.last));
  return {
    ours: ms(last.p50),
    value: last.p50,
    met: against(last.p50, best, worst),
    details: { ...last, first: spread(reaches.map((reach) => reach.first)) },
    units: { name: unit, count: units },
  };
}

function messageRow(stacks: Stacks, room: "R10" | "R100" | "R500", rooms: Rooms): Promise<Row> {
  return sideBySide(stacks, MESSAGE_TARGET, (bench, stack) => {
    const members = rooms[stack][room]!;
    const { warmUp, measured } = rounds(bench);
    return measureRow(
      bench,
      {
        id: `message-${room.slice(1)}`,
        scenario: `room message fan-out, room of ${members.length}, p50`,
        target: "",
      },
      async () => {
        const sender = members[0]!;
        const reaches = await repeat(warmUp, measured, (round) => {
          const text = `fan-out ${room} ${stack} ${round}`;
          return timeBroadcast(bench, sender, { event: "room:message", text }, "room:message", { text });
        });
        return reachOutcome(reaches, Infinity, Infinity, "message", warmUp + measured);
      },
    );
  });
}

function presenceRow(stacks: Stacks, rooms: Rooms): Promise<Row> {
  return sideBySide(stacks, null, (bench, stack) => {
    const members = rooms[stack].R500!;
    const { warmUp, measured } = rounds(bench);
    return measureRow(
      bench,
      {
        id: "presence-500",
        scenario: `presence change reaches a room of ${members.length}, p50`,
        target: "keep: ≤ 16 ms",
      },
      async () => {
        const sender = members[0]!;
        const reaches = await repeat(warmUp, measured, (round) => {
          const status = round % 2 === 0 ? "absent" : "online";
          const match = { event: "room:member-updated", memberId: sender.userId, status } as const;
          return timeBroadcast(bench, sender, match, "presence:set", { status });
        });
        return reachOutcome(reaches, 16, 16, "change", warmUp + measured);
      },
    );
  });
}

/** A newcomer claims a name and connects; timed from the claim until the last member has member-joined. */
function joinRow(stacks: Stacks): Promise<Row> {
  return sideBySide(stacks, null, (bench, stack) => joinRowOn(bench, roomOf(stack, "R500")));
}

async function joinRowOn(bench: Bench, room: string): Promise<Row> {
  const { joins } = rounds(bench);
  return measureRow(
    bench,
    {
      id: "join-500",
      scenario: `a join reaches every member of a room of ${sizeOf(bench, "R500")}, p50`,
      target: "keep: ≤ 21 ms",
    },
    async () => {
      const reaches = await repeat(WARM_UP_JOINS, joins, async (round) => {
        const { spec, worker } = place(bench, round + WARM_UP_JOINS, room, "joiner");
        const id = `join-${spec.name}`;
        const match = { event: "room:member-joined", name: spec.name } as const;
        await bench.pool.all({ op: "arm", id, room, match, timeoutMs: BROADCAST_TIMEOUT_MS });
        const joined = await worker.ask({ op: "joinOne", user: spec });
        const fromClaim = await lastArrival(bench, id, joined.claimAt);
        // From the socket's connect (after the claim's answer): the part a room switch also pays.
        return { ...fromClaim, fromConnect: fromClaim.last - elapsedMs(joined.claimAt, joined.connectAt) };
      });
      const outcome = reachOutcome(reaches, 21, 21, "join", WARM_UP_JOINS + joins);
      return {
        ...outcome,
        details: { ...outcome.details, fromConnect: spread(reaches.map((r) => r.fromConnect)) },
      };
    },
  );
}

/** Fills R10, R100 and R500 on the app and on the floor, then measures the five rows one after the other. */
export async function fanOutRows(stacks: Stacks): Promise<Row[]> {
  const rooms: Rooms = { app: {}, floor: {} };
  for (const stack of ["app", "floor"] as const) {
    const bench = stacks[stack];
    if (!bench) continue;
    for (const room of FANOUT_ROOMS)
      rooms[stack][room] = await populate(
        bench,
        roomOf(stack, room),
        sizeOf(bench, room),
        `m${stack}${room}u`,
      );
  }
  // The joins' room-count broadcasts go out up to 100 ms later: let them pass before timing anything.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return [
    await messageRow(stacks, "R10", rooms),
    await messageRow(stacks, "R100", rooms),
    await messageRow(stacks, "R500", rooms),
    await presenceRow(stacks, rooms),
    await joinRow(stacks),
  ];
}
