// The Store's rooms: membership snapshots with their version, message history (and its hot path,
// the rate-limited post) and occupancy.
import type { ChatMessage, Member, UserRef } from "../../protocol.js";
import { methodsOf } from "../methods.js";
import type { WindowLimit } from "../types.js";

export interface NewRoomMessage {
  room: string;
  from: UserRef;
  text: string;
  at: number;
}

/** What postRoomMessage answers. */
export type PostResult =
  | { ok: true; message: ChatMessage }
  | { ok: false; code: "not_in_room" }
  | { ok: false; code: "rate_limited"; retryAfterMs: number };

export interface RoomsStore {
  roomSnapshot(room: string): Promise<{ version: number; members: Member[] }>;

  /** The room's membership version alone (one read). */
  roomVersion(room: string): Promise<number>;

  /** Gives the message the room's next id and keeps the last HISTORY_LIMIT. */
  appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage>;

  /**
   * The hot path of room chat, in one round trip: checks that the sender is a member of `room`,
   * charges their room-message budget (`limit.points` per fixed window of `limit.windowMs`, shared
   * across instances), then appends like appendRoomMessage. `not_in_room` when the sender is not (or
   * no longer) a member of that room; `rate_limited` with the wait when the budget is spent.
   */
  postRoomMessage(message: NewRoomMessage, limit: WindowLimit): Promise<PostResult>;

  /** The kept history, oldest first; with `afterId`, only the messages that follow it. */
  roomHistory(room: string, afterId?: number): Promise<ChatMessage[]>;

  /** Member counts with the membership version they were read at, in the order of `rooms`. O(1) per room. */
  occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]>;
}

/** The names composeStore binds (the compiler keeps this list equal to RoomsStore's methods). */
export const roomsMethods = methodsOf<RoomsStore>()([
  "roomSnapshot",
  "roomVersion",
  "appendRoomMessage",
  "postRoomMessage",
  "roomHistory",
  "occupancy",
]);
