// What the bench's parent asks of its load-generator workers (scripts/bench/worker.ts) over IPC, and
// what they answer. Times that cross processes are CLOCK_MONOTONIC nanoseconds (process.hrtime.bigint(),
// one clock for every process on the machine), sent as decimal strings.

/** One simulated user: claims `name` in `room` on the instance at `url`, then connects its socket. */
export interface UserSpec {
  /** The parent's name for this user, unique within a run. */
  handle: string;
  name: string;
  room: string;
  url: string;
  /** Watches room counts (rooms:watch) once it holds its room's state, as a tab showing them does. */
  watch?: boolean;
}

/** How one join went, from the claim (POST /api/session) to the joiner's own `room:state`. */
export interface Joined {
  handle: string;
  userId: string;
  /** Claim start, socket connect start (after the claim answered), as monotonic ns. */
  claimAt: string;
  connectAt: string;
  /** Milliseconds from the claim start until `room:state` arrived. */
  ms: number;
}

/** Which broadcast a receiver waits for. */
export type Match =
  | { event: "room:message"; text: string }
  | { event: "room:member-updated"; memberId: string; status: string }
  | { event: "room:member-joined"; name: string };

/** The first and the last arrival of one awaited broadcast in a worker (null when none waited). */
export interface Collected {
  firstAt: string | null;
  lastAt: string | null;
  count: number;
}

export interface GeneratorStats {
  /** CPU time (user + system) since the last reset, microseconds. */
  cpuUs: number;
  /** Event-loop delay since the last reset (perf_hooks.monitorEventLoopDelay), milliseconds. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** Unexpected failures since the last reset (failed joins, dropped sockets, refused acks). */
  errors: number;
  /** The first few of them, for the report. */
  samples: string[];
  sockets: number;
  /** Events the simulated users received, by name. */
  received: Record<string, number>;
}

export type Request =
  /**
   * Joins every user, at most `concurrency` at a time; failures count as errors and are left out.
   * None starts after `stopAt` (Date.now() time), if given.
   */
  | { op: "join"; users: UserSpec[]; concurrency: number; stopAt?: number }
  | { op: "joinOne"; user: UserSpec }
  /** Every user of this worker in `room` (but `except`) starts waiting for one broadcast. */
  | { op: "arm"; id: string; room: string; except?: string; match: Match; timeoutMs: number }
  /** Resolves once every armed receiver has the broadcast: the latest arrival and how many waited. */
  | { op: "collect"; id: string }
  /** Emits an event with an ack; answers with the emit time (the ack is checked, not awaited). */
  | { op: "send"; handle: string; event: string; payload: object }
  /** Emits an event and awaits its ack (ok or not). */
  | { op: "ask"; handle: string; event: string; payload: object }
  /** Each of `handles` sends a room message every `periodMs` for `durationMs` and times its ack. */
  | { op: "ackLoop"; handles: string[]; periodMs: number; durationMs: number }
  /** `handle` sends private messages in bursts of `burst`, each burst once the last is answered. */
  | { op: "flood"; handle: string; burst: number; durationMs: number }
  /** Ends the sessions (session:leave) of `handles` and waits until their sockets are closed. */
  | { op: "leave"; handles: string[]; concurrency: number }
  /** Closes every socket of this worker, without leaving: the bench tears the stack down after. */
  | { op: "closeAll" }
  | { op: "stats"; reset: boolean };

export type Reply<R extends Request> = R extends { op: "join" }
  ? Joined[]
  : R extends { op: "joinOne" }
    ? Joined
    : R extends { op: "arm" }
      ? { armed: number }
      : R extends { op: "collect" }
        ? Collected
        : R extends { op: "send" }
          ? { at: string }
          : R extends { op: "ask" }
            ? { ok: boolean; code?: string }
            : R extends { op: "ackLoop" }
              ? { latencies: number[]; failed: number }
              : R extends { op: "flood" }
                ? {
                    sent: number;
                    refused: number;
                    /** Acks that never came: the socket was cut with them pending. */
                    unanswered: number;
                    /** Ms into the flood when the server cut the socket, or null. */
                    cutAtMs: number | null;
                    /** The code of the `session:ended` before the cut (`flooding`), or null. */
                    endedWith: string | null;
                    seconds: number;
                  }
                : R extends { op: "stats" }
                  ? GeneratorStats
                  : null;

/** A message on the IPC channel: a request with its id, or the answer to one. */
export type Envelope =
  | { id: number; request: Request }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/** Nanoseconds between two monotonic stamps, as milliseconds. */
export const elapsedMs = (from: string | bigint, to: string | bigint): number =>
  Number(BigInt(to) - BigInt(from)) / 1e6;
