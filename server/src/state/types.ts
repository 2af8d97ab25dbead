// The shapes that more than one feature of the Store speaks of: the session, a change to a room's
// member list, a room as a connection sees it, and the conversations a session can be in. Each
// feature's own shapes live in its contract (state/<feature>/contract.ts).
import type { CallInfo, ChatMessage, GroupCall, Member, PresenceStatus, UserRef } from "@videochat/protocol";
import type { RoomState } from "@videochat/protocol";

export interface Session {
  id: string;
  name: string;
  room: string;
  /**
   * What the room sees: `chosen`, except that a session that chose "online" shows "absent" while every
   * one of its connections (tabs) is idle or hidden. Automatic absence belongs to the session.
   */
  status: PresenceStatus;
  /** The status the user picked by hand; every tab shows it in its status picker. */
  chosen: PresenceStatus;
  /** False until the first socket attaches: only then does the user appear in the room. */
  entered: boolean;
  /** The private chat this user is in, if any (one at a time, like a phone line). */
  chatId?: string;
  /** The room's group call this user is in, if any (a private chat and a group call exclude each other). */
  groupCallId?: string;
  /** The folded name key this session holds the claim of (see schemas.ts `nameKey`). */
  nameKey: string;
  /**
   * Counts the session's room moves. Socket.IO room subscriptions follow the highest value a socket
   * has seen, so handlers that finish out of order cannot leave a socket in a room the Store left.
   */
  roomSeq: number;
  /**
   * Set once the session's client address holds ADDRESS_CROWDED_SESSIONS live sessions or more: at its
   * claim, or at the claim that crowds the address (which marks its sessions already there). Its room
   * messages, typing, reactions, edits, moves and presence changes then also spend that address's budgets
   * (docs/security.md) until it ends. Sessions of other addresses pay nothing for it.
   */
  crowded?: true;
}

/** One change to a room's member list, stamped with the room's new membership version. */
export interface MembershipChange {
  room: string;
  version: number;
  member: Member;
}

/** A room as a connection enters it: the member list at `version`, the kept history, its group call. */
export interface RoomView {
  version: number;
  members: Member[];
  /** Oldest first (the last HISTORY_LIMIT). */
  history: ChatMessage[];
  groupCall: RoomState["groupCall"];
}

/** A budget of `points` per fixed window of `windowMs` (see limits/budgets.ts for every family's). */
export interface WindowLimit {
  points: number;
  windowMs: number;
}

/** A budget of one client address, all its sessions together (limit-families.ts, ADDRESS_FAMILIES). */
export interface AddressLimit extends WindowLimit {
  /** The address as it is counted (addressKey: an IPv6 client by its /64). */
  address: string;
}

/**
 * A budget a Store step charges first, in its own round trip: `points` per fixed window of `windowMs`
 * per user, shared across instances. `now` (epoch ms) is the memory Store's clock; Redis uses its own.
 */
export interface StepCharge extends WindowLimit {
  now: number;
}

/**
 * A presence step's outcome: the session and the room's member change, if any. With `retryAfterMs`
 * (ms), the user's presence budget was spent and nothing changed.
 */
export interface PresenceResult {
  session: Session;
  changed?: MembershipChange;
  retryAfterMs?: number;
}

export interface PrivateChatRecord {
  id: string;
  /** The two partners; `a` opened the chat. */
  a: UserRef;
  b: UserRef;
  call?: CallInfo;
}

/** A private chat that ended, with the busy-flag changes of its partners' member entries. */
export interface ClosedChat {
  chat: PrivateChatRecord;
  changes: MembershipChange[];
}

/** A participant left (or was taken out of) a group call; `call` is absent once it ended. */
export interface LeftGroupCall {
  callId: string;
  room: string;
  call?: GroupCall;
  /** The leaver's busy flag, for their room (empty when they left the room too). */
  changes: MembershipChange[];
}

/**
 * The tab that holds a participant's place in a call: its page load (a reload is a new page, a
 * reconnect of the same page is not) and its current connection ("<instance key>/<socket id>").
 */
export interface CallHolder {
  /**
   * "<tab id>/<page load id>": the tab (kept in sessionStorage, so it survives a reload) and the page
   * load (new at every load). A new page in the holding tab is a reload; another tab is not.
   */
  page: string;
  connection: string;
}

/** Why a participant's place in a call ended without a hang-up: their page closed, or their connection was lost. */
export type DepartReason = "left" | "lost";

/**
 * A participant's place in a call (1:1 or group) whose holding page is away (`away`: the page's
 * connection closed, the grace runs) or held again (`back`). `others`: the other participants' ids,
 * to be told; `rejoined`: a new page load of the holding tab (a reload) took the place, so its media
 * starts over and the others' connections to it must too.
 */
export interface CallPresence {
  kind: "private" | "group";
  callId: string;
  user: UserRef;
  others: string[];
  rejoined?: boolean;
}

/** A place in a call whose grace ran out: the participant was taken out (group) or the call ended (1:1). */
export type DepartedCall =
  | { kind: "group"; user: UserRef; reason: DepartReason; left: LeftGroupCall }
  | { kind: "private"; user: UserRef; reason: DepartReason; chat: PrivateChatRecord; callId: string };

export const HISTORY_LIMIT = 100;

/** Messages a pair's private history keeps (the last ones). */
export const PRIVATE_HISTORY_LIMIT = 200;

/** How long a pair's private history lasts after its last message, by default (7 days; PRIVATE_HISTORY_TTL_MS). */
export const PRIVATE_HISTORY_MS = 7 * 24 * 3600 * 1000;

/** Settings a Store is built with. */
export interface StoreOptions {
  /** Milliseconds a pair's private history is kept after its last message (default PRIVATE_HISTORY_MS). */
  privateHistoryMs?: number;
  /** Milliseconds a user's reach attempts and read positions outlive their last change (default REACH_TTL_MS). */
  reachTtlMs?: number;
}
