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
  { ok: true; message: ChatMessage } | { ok: false; code: "rate_limited"; retryAfterMs: number };

/** Room messages an instance accepted from one sender since its last charge (realtime/post-budgets.ts). */
export interface PostCharge {
  userId: string;
  /** Messages, one point each. */
  count: number;
}

/** A sender's room-message budget as the whole cluster has spent it, after a charge. */
export interface PostUse {
  /** Points used in the window, every instance's charges together. */
  used: number;
  /** When the window started (epoch ms, on the clock of the instance that started it). */
  windowStart: number;
}

export interface RoomsStore {
  roomSnapshot(room: string): Promise<{ version: number; members: Member[] }>;

  /** The room's membership version alone (one read). */
  roomVersion(room: string): Promise<number>;

  /** Gives the message the room's next id and keeps the last HISTORY_LIMIT. */
  appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage>;

  /**
   * The hot path of room chat, in one round trip: appends like appendRoomMessage. The caller has
   * checked the sender's membership (the instance's view of the socket's room) and charged their own
   * budget (realtime/post-budgets.ts, which charges the Store with chargeRoomMessages in batches).
   * With `fromAddress`, the same step charges the budget of the sender's client address (all its
   * sessions together) first: `rate_limited` with the wait when it is spent, and nothing is kept.
   */
  postRoomMessage(message: NewRoomMessage, fromAddress?: AddressLimit): Promise<PostResult>;

  /**
   * Charges each sender's room-message budget (`limit.points` per fixed window of `limit.windowMs`,
   * a user's across every room, tab and instance) with the messages an instance accepted on its own
   * view of it, and answers each one's use of the window, cluster-wide, in the order of `charges`:
   * the view is corrected from it. One step for every sender of the batch; `now` is the instance's
   * clock (epoch ms), which starts a window. Never refuses: the refusal is the instance's.
   */
  chargeRoomMessages(charges: readonly PostCharge[], limit: WindowLimit, now: number): Promise<PostUse[]>;

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
  "chargeRoomMessages",
  "roomHistory",
  "occupancy",
  "changeRoomMessage",
]);
