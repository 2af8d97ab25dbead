// The Store's reach records: who tried to reach a person who could not be interrupted (status
// "Unavailable", or busy in another conversation), and each user's last-read position per room (the
// unread counts of the room switcher).
import type { ReachAttempt, ReachKind } from "@videochat/protocol";
import { methodsOf } from "../methods.js";

/** At most this many people are remembered per user (the oldest attempt gives way). */
export const REACH_LIMIT = 20;
/**
 * A user's reach records, and their read positions, are forgotten this long after their last change
 * (ms; the Store's `reachTtlMs` option), by both Stores.
 */
export const REACH_TTL_MS = 24 * 60 * 60 * 1000;

/** What checkReach answers: `refused` when the target is "Unavailable" (the attempt is then kept). */
export type ReachCheck = { refused: false } | { refused: true; name: string };

/** A user's read positions and every room's newest message id, by room name (0: no message yet). */
export interface ReadState {
  lastRead: Record<string, number>;
  latest: Record<string, number>;
}

export interface ReachStore {
  /**
   * Whether `fromId` may interrupt `toId` now: refused when `toId`'s chosen status is "unavailable", and
   * then, in the same step, the attempt (`kind`, at `at` epoch ms, with the sender's name) is kept for
   * `toId` (one per sender, the newest; at most REACH_LIMIT). Not refused when either session is unknown,
   * they are in different rooms or are the same, or `fromId`'s own state rules the attempt out (`chat`
   * while in a private chat or a group call; `call` in no private chat; `group` in no group call): the
   * feature's own step then answers as before, and no notice is kept.
   */
  checkReach(fromId: string, toId: string, kind: ReachKind, at: number): Promise<ReachCheck>;

  /**
   * Keeps an attempt of `fromId` (who was refused as busy) for `toId`; the record, or null unless both
   * have sessions in the same room and differ.
   */
  noteReach(fromId: string, toId: string, kind: ReachKind, at: number): Promise<ReachAttempt | null>;

  /** The attempts kept for `userId`, oldest first. */
  reachAttempts(userId: string): Promise<ReachAttempt[]>;

  /** Forgets `fromId`'s attempt kept for `userId`; false when there was none. */
  dismissReach(userId: string, fromId: string): Promise<boolean>;

  /**
   * Moves `userId`'s last-read position in `room` forward to `id` (never back; at most the room's newest
   * id). The new position, or null when it did not move.
   */
  markRead(userId: string, room: string, id: number): Promise<number | null>;

  /**
   * `userId`'s read position in each of `rooms` and each room's newest message id, in one step. A room
   * without a position yet starts at its newest id (a newcomer owes nothing to earlier messages). A room
   * without messages gets its id counter seeded from `now` (epoch ms) here, as its first message would
   * seed it: its ids then follow on from the position, so counting by id difference holds.
   */
  readState(userId: string, rooms: readonly string[], now: number): Promise<ReadState>;

  /** Each room's newest message id (0 before its first message), in the order of `rooms`. */
  latestMessageIds(rooms: readonly string[]): Promise<number[]>;
}

/** The names composeStore binds (the compiler keeps this list equal to ReachStore's methods). */
export const reachMethods = methodsOf<ReachStore>()([
  "checkReach",
  "noteReach",
  "reachAttempts",
  "dismissReach",
  "markRead",
  "readState",
  "latestMessageIds",
]);
