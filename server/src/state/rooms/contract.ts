// The Store's rooms: membership snapshots with their version, message history (and its hot path,
// the rate-limited post) and occupancy.
import type { ChatMessage, Member, UserRef } from "@videochat/protocol";
import type { ChangeResult, MessageChange } from "../message-change.js";
import { methodsOf } from "../methods.js";
import type { AddressLimit, WindowLimit } from "../types.js";

export interface NewRoomMessage {
  room: string;
  from: UserRef;
  text: string;
  at: number;
  /** The sender's id for the message, kept with it (see ChatMessage.nonce). */
  nonce?: string;
  /** The id of the message this one replies to: its quote is kept with it when the room still has it. */
  replyTo?: number;
  /** A line about the room's group call (see ChatMessage.call); only the server writes one. */
  call?: ChatMessage["call"];
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
   * no longer) a member of that room; `rate_limited` with the wait when the budget is spent. With
   * `fromAddress`, the same step also charges the budget of the sender's client address (all its
   * sessions together), after the sender's own: `rate_limited` with that wait when it is spent.
   */
  postRoomMessage(
    message: NewRoomMessage,
    limit: WindowLimit,
    fromAddress?: AddressLimit,
  ): Promise<PostResult>;

  /** The kept history, oldest first; with `afterId`, only the messages that follow it. */
  roomHistory(room: string, afterId?: number): Promise<ChatMessage[]>;

  /** Member counts with the membership version they were read at, in the order of `rooms`. O(1) per room. */
  occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]>;

  /**
   * Edits, deletes or reacts to message `id` of the room `userId` is a member of, in one step: the
   * kept history is rewritten (a deleted text, and its quotes in replies, leave the Store), so later
   * joiners see the result. Edits and deletes are the author's only (`not_author`); `no_message` when
   * the room does not keep it (or it is deleted); `not_in_room` when the user is in no room.
   */
  changeRoomMessage(
    userId: string,
    id: number,
    change: MessageChange,
  ): Promise<ChangeResult<ChatMessage, "not_in_room">>;
}

/** The names composeStore binds (the compiler keeps this list equal to RoomsStore's methods). */
export const roomsMethods = methodsOf<RoomsStore>()([
  "roomSnapshot",
  "roomVersion",
  "appendRoomMessage",
  "postRoomMessage",
  "roomHistory",
  "occupancy",
  "changeRoomMessage",
]);
