// The fuzzer's vocabulary: what one run does, as small descriptors that fast-check generates and
// shrinks. Every reference (user, tab, instance, call) is a number resolved modulo what exists when
// the step runs, so any shrunk sub-list is still a runnable scenario.
import fc from "fast-check";
import type { ClientToServerEvents } from "@videochat/protocol";

export type EventName = keyof ClientToServerEvents;

/** Display names to claim: look-alikes of "Ann" must be refused while Ann is live (name_taken). */
export const NAMES = ["Ann", "Bob", "Cyd", "Dee", "Eve", "ann", "\u0410nn", "Bo\u200bb"];
/** The configured rooms, then one that does not exist. */
export const ROOMS = ["GENERAL", "SPORTS", "GAMES", "NOWHERE"];
/** Keys a forged payload adds: identity and routing fields the server must never trust. */
export const FORGED_KEYS = ["from", "userId", "room", "chatId"];

/** Text to send: written out, or `size` characters made at run time (printed short in reports). */
export type TextSpec = string | { size: number };

/**
 * How an emitted payload is built: valid for its event; valid plus a forged key; any JSON value;
 * or over the 64 KB frame limit (the server drops that connection).
 */
export type Variant = "valid" | "forged" | "junk" | "oversize";

export interface Emit {
  kind: "emit";
  tab: number;
  event: EventName;
  variant: Variant;
  /** Picks a room, status, partner or call id among those the world knows (modulo their count). */
  ref: number;
  text: TextSpec;
  flag: boolean;
  junk: unknown;
  /** False: emitted without an acknowledgement callback (the server must ignore it, not crash). */
  ack: boolean;
}

export type Action =
  | { kind: "join"; name: number; room: number; via: number; on: number }
  | { kind: "claim"; body: unknown; via: number }
  | { kind: "tab"; user: number; on: number }
  | { kind: "close"; tab: number }
  | { kind: "reconnect"; tab: number; on: number }
  | Emit
  /** A whole call from one tab: chat, ring, answer (or decline), signals, hang-up (or not). */
  | { kind: "call"; tab: number; accept: boolean; hangup: boolean }
  /** A whole group call from one tab: start (or join the room's), `size` others join, signals, leave (or not). */
  | { kind: "group"; tab: number; size: number; leave: boolean }
  /**
   * `follow`: the tabs it served reconnect to the other instance at once, as the SPA does. The last
   * live instance comes back under the same INSTANCE_ID right after (as Compose restarts it).
   */
  | { kind: "kill"; instance: number; follow: boolean }
  | { kind: "stop"; instance: number; follow: boolean }
  | { kind: "start"; instance: number }
  | { kind: "pause"; ms: number }
  | { kind: "wait"; ms: number };

/** One step; with `overlap` the next step starts without waiting for this one to finish. */
export interface Step {
  action: Action;
  overlap: boolean;
}

export interface Scenario {
  /** Users joining one after the other before the steps, so that emits have someone to act on. */
  opening: Action[];
  steps: Step[];
  /** Whether instances that are down at the end are started again before the checks. */
  restartAtEnd: boolean;
}

const EVENT_WEIGHTS: [EventName, number][] = [
  ["room:join", 4],
  ["room:message", 5],
  ["presence:set", 2],
  ["presence:idle", 2],
  ["session:leave", 1],
  ["private:open", 6],
  ["private:message", 4],
  ["private:typing", 1],
  ["private:close", 2],
  ["call:invite", 4],
  ["call:answer", 4],
  ["call:signal", 3],
  ["call:end", 2],
  ["call:ice-servers", 1],
  ["call:media", 2],
  ["group:start", 2],
  ["group:join", 3],
  ["group:leave", 2],
  ["group:invite", 2],
  ["group:decline", 1],
  ["group:signal", 3],
  ["room:react", 3],
  ["room:edit", 2],
  ["room:delete", 2],
  ["private:react", 2],
  ["private:edit", 1],
  ["private:delete", 1],
  ["reach:sync", 1],
  ["reach:dismiss", 1],
  ["room:read", 2],
  ["file:offer", 2],
  ["file:answer", 1],
  ["file:signal", 1],
  ["file:cancel", 1],
];

const text: fc.Arbitrary<TextSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom("hi", "  ", "", "\u200b\u2060", "a\u0000b", "\u{1F600}") },
  { weight: 1, arbitrary: fc.integer({ min: 1_990, max: 60_000 }).map((size) => ({ size })) },
);

const emit: fc.Arbitrary<Emit> = fc.record({
  kind: fc.constant("emit" as const),
  tab: fc.nat(),
  event: fc.oneof(...EVENT_WEIGHTS.map(([event, weight]) => ({ weight, arbitrary: fc.constant(event) }))),
  variant: fc.oneof(
    { weight: 20, arbitrary: fc.constant("valid" as const) },
    { weight: 2, arbitrary: fc.constant("forged" as const) },
    { weight: 2, arbitrary: fc.constant("junk" as const) },
    { weight: 1, arbitrary: fc.constant("oversize" as const) },
  ),
  ref: fc.nat({ max: 40 }),
  text,
  flag: fc.boolean(),
  junk: fc.jsonValue({ maxDepth: 2 }),
  ack: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

const join = fc.record({
  kind: fc.constant("join" as const),
  name: fc.nat({ max: NAMES.length - 1 }),
  // Mostly one room, so that private chats and calls have partners.
  room: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.nat({ max: ROOMS.length - 1 })),
  via: fc.nat({ max: 1 }),
  on: fc.nat({ max: 1 }),
});

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 24, arbitrary: emit },
  { weight: 4, arbitrary: join },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("call" as const),
      tab: fc.nat(),
      accept: fc.boolean(),
      hangup: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("group" as const),
      tab: fc.nat(),
      size: fc.nat({ max: 3 }),
      leave: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      body: fc.jsonValue(),
      via: fc.nat({ max: 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("tab" as const), user: fc.nat(), on: fc.nat({ max: 1 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), tab: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("reconnect" as const), tab: fc.nat(), on: fc.nat({ max: 1 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("kill" as const),
      instance: fc.nat({ max: 1 }),
      follow: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("stop" as const),
      instance: fc.nat({ max: 1 }),
      follow: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("start" as const), instance: fc.nat({ max: 1 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 50, max: 2_500 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 1_200 }) }),
  },
);

/** A run: a few users joining first (so emits have someone to act on), then anything, in any order. */
export const scenario = (maxSteps: number): fc.Arbitrary<Scenario> =>
  fc.record({
    opening: fc.array(join, { minLength: 2, maxLength: 5, size: "max" }),
    // size "max": runs as long as maxSteps from the first one, not only after fast-check's warm-up.
    steps: fc.array(fc.record({ action, overlap: fc.boolean() }), {
      minLength: 1,
      maxLength: maxSteps,
      size: "max",
    }),
    restartAtEnd: fc.boolean(),
  });

/** Makes the text a spec stands for. */
export const textOf = (spec: TextSpec): string => (typeof spec === "string" ? spec : "x".repeat(spec.size));

/** One line for the run log: huge texts and junk shown by their size. */
export function describe(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "string" && v.length > 60 ? `<${v.length} chars>` : v,
  );
  return json === undefined ? "undefined" : json.length > 200 ? `${json.slice(0, 200)}…` : json;
}
