// Filling rooms with simulated users: who goes to which worker and which instance, and broadcasts timed
// from the sender's emit until the last of the room's other members has them.
import type { Worker } from "./pool.js";
import type { Bench } from "./row.js";
import { elapsedMs, type Joined, type Match, type UserSpec } from "./rpc.js";

export interface Member {
  handle: string;
  name: string;
  userId: string;
  room: string;
  worker: Worker;
}

/** How many joins one worker keeps in flight while filling rooms. */
const JOIN_CONCURRENCY = 16;
/** A broadcast that has not reached everyone after this long counts as lost (an error). */
export const BROADCAST_TIMEOUT_MS = 15_000;

let serial = 0;
/**
 * A name nobody in this run has claimed. Decimal digits only: names that differ only in 1/l or 0/O are
 * one name to the server (docs/architecture.md, "Names and messages").
 */
export const freshName = (prefix: string) => `${prefix}${serial++}`;

/**
 * A user spec for arrival number `i`: users are dealt round-robin to the workers and, across workers,
 * alternately to the two instances, so that every worker talks to both.
 */
export function place(
  bench: Bench,
  i: number,
  room: string,
  prefix: string,
): { spec: UserSpec; worker: Worker } {
  const workers = bench.pool.workers.length;
  const instance = bench.instances[Math.floor(i / workers) % bench.instances.length]!;
  const name = freshName(prefix);
  return { spec: { handle: name, name, room, url: instance.url }, worker: bench.pool.of(i) };
}

/**
 * Joins `count` users to `room` (or to `rooms(i)`), a few at a time per worker, counting arrivals from
 * `first`; throws unless every one joined, or, with `stopAt` (a Date.now() time), stops starting joins
 * then and returns those that joined.
 */
export async function populate(
  bench: Bench,
  room: string,
  count: number,
  prefix: string,
  options: { rooms?: (i: number) => string; first?: number; stopAt?: number } = {},
): Promise<Member[]> {
  const byWorker = new Map<Worker, UserSpec[]>();
  const first = options.first ?? 0;
  for (let i = first; i < first + count; i++) {
    const { spec, worker } = place(bench, i, options.rooms ? options.rooms(i) : room, prefix);
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), spec]);
  }
  const members = await Promise.all(
    [...byWorker].map(async ([worker, users]) => {
      const joined = await worker.ask({
        op: "join",
        users,
        concurrency: JOIN_CONCURRENCY,
        stopAt: options.stopAt,
      });
      const specs = new Map(users.map((user) => [user.handle, user]));
      return joined.map((j) => ({ ...member(j, specs.get(j.handle)!), worker }));
    }),
  );
  const all = members.flat();
  if (all.length !== count && options.stopAt === undefined)
    throw new Error(`only ${all.length} of ${count} users joined ${room}`);
  return all;
}

const member = (joined: Joined, spec: UserSpec) => ({
  handle: spec.handle,
  name: spec.name,
  userId: joined.userId,
  room: spec.room,
});

/**
 * Warms fresh instances (and the generator) up: `count` users join `room` and leave again, so that the
 * join path is compiled before a row times it.
 */
export async function warmUp(bench: Bench, room: string, count: number): Promise<void> {
  const members = await populate(bench, room, count, "warm");
  await Promise.all(
    bench.pool.workers.map((worker) => {
      const handles = members.filter((member) => member.worker === worker).map((member) => member.handle);
      return worker.ask({ op: "leave", handles, concurrency: 8 });
    }),
  );
}

let armed = 0;
/** Milliseconds from an act until the first and until the last receiver had its broadcast. */
export interface Reach {
  first: number;
  last: number;
}

/**
 * Times one broadcast: every other member of `sender`'s room waits for `match`, then `sender` emits;
 * the milliseconds from the emit until the first and the last of them had it.
 */
export async function timeBroadcast(
  bench: Bench,
  sender: Member,
  match: Match,
  event: string,
  payload: object,
): Promise<Reach> {
  const id = `b${armed++}`;
  await bench.pool.all({
    op: "arm",
    id,
    room: sender.room,
    except: sender.handle,
    match,
    timeoutMs: BROADCAST_TIMEOUT_MS,
  });
  const { at } = await sender.worker.ask({ op: "send", handle: sender.handle, event, payload });
  return lastArrival(bench, id, at);
}

/** Milliseconds from `from` (a monotonic stamp) until the first and the last receiver armed as `id`. */
export async function lastArrival(bench: Bench, id: string, from: string): Promise<Reach> {
  const collected = await bench.pool.all({ op: "collect", id });
  const firsts = collected.flatMap((c) => (c.firstAt === null ? [] : [BigInt(c.firstAt)]));
  const lasts = collected.flatMap((c) => (c.lastAt === null ? [] : [BigInt(c.lastAt)]));
  if (lasts.length === 0) return { first: NaN, last: NaN };
  return {
    first: elapsedMs(
      from,
      firsts.reduce((a, b) => (a < b ? a : b)),
    ),
    last: elapsedMs(
      from,
      lasts.reduce((a, b) => (a > b ? a : b)),
    ),
  };
}

/** Runs `warmUp` unmeasured then `rounds` measured repetitions of `once`, one after the other. */
export async function repeat<T>(warmUp: number, rounds: number, once: (round: number) => Promise<T>) {
  for (let round = 0; round < warmUp; round++) await once(-1 - round);
  const times: T[] = [];
  for (let round = 0; round < rounds; round++) times.push(await once(round));
  return times;
}
