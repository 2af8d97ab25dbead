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

/** The rooms these rows use; each instance must list them in ROOMS. */
export const FANOUT_ROOMS = ["R10", "R100", "R500"];

/** The replaced app's p50 for a room message, ms, and the factor ours must beat it by. */
const REPLACED_MESSAGE_P50 = { R10: [3.0, 4.7], R100: [4.3, 5.2], R500: [14, 17] } as const;
const FACTOR = 0.67;
const WARM_UP_JOINS = 2;
const SETTLE_MS = 500;

/** Members per room: the nominal size, or a small one for --quick. */
const QUICK_SIZES: Record<string, number> = { R10: 10, R100: 25, R500: 50 };
const sizeOf = (bench: Bench, room: string) => (bench.quick ? QUICK_SIZES[room]! : Number(room.slice(1)));

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

async function messageRow(bench: Bench, room: "R10" | "R100" | "R500", members: Member[]): Promise<Row> {
  const [low, high] = REPLACED_MESSAGE_P50[room].map((replaced) => replaced * FACTOR) as [number, number];
  const { warmUp, measured } = rounds(bench);
  return measureRow(
    bench,
    {
      id: `message-${room.slice(1)}`,
      scenario: `room message fan-out, room of ${members.length}, p50`,
      target: `≤ ${low.toFixed(1)}–${high.toFixed(1)} ms`,
    },
    async () => {
      const sender = members[0]!;
      const reaches = await repeat(warmUp, measured, (round) => {
        const text = `fan-out ${room} ${round}`;
        return timeBroadcast(bench, sender, { event: "room:message", text }, "room:message", { text });
      });
      return reachOutcome(reaches, low, high, "message", warmUp + measured);
    },
  );
}

async function presenceRow(bench: Bench, members: Member[]): Promise<Row> {
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
}

/** A newcomer claims a name and connects; timed from the claim until the last member has member-joined. */
async function joinRow(bench: Bench): Promise<Row> {
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
        const { spec, worker } = place(bench, round + WARM_UP_JOINS, "R500", "joiner");
        const id = `join-${spec.name}`;
        const match = { event: "room:member-joined", name: spec.name } as const;
        await bench.pool.all({ op: "arm", id, room: "R500", match, timeoutMs: BROADCAST_TIMEOUT_MS });
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

/** Fills R10, R100 and R500, then measures the five rows one after the other. */
export async function fanOutRows(bench: Bench): Promise<Row[]> {
  const rooms: Record<string, Member[]> = {};
  for (const room of FANOUT_ROOMS)
    rooms[room] = await populate(bench, room, sizeOf(bench, room), `m${room}u`);
  // The joins' room-count broadcasts go out up to 100 ms later: let them pass before timing anything.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return [
    await messageRow(bench, "R10", rooms.R10!),
    await messageRow(bench, "R100", rooms.R100!),
    await messageRow(bench, "R500", rooms.R500!),
    await presenceRow(bench, rooms.R500!),
    await joinRow(bench),
  ];
}
