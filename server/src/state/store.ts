// The Store: all shared state (sessions, names, room membership, presence, room history) behind
// intention-revealing methods. The memory and Redis implementations pass one contract suite.
import type { CallHolder, GroupCallStore, LeftGroupCall } from "./group-store.js";
import type { CallInfo, ChatMessage, Member, PresenceStatus, PrivateMessage, UserRef } from "../protocol.js";
import type { RoomState } from "../protocol.js";

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
}

/**
 * What a live socket knows of its session, enough to rebuild it when the Store lost it (Redis
 * restarted empty, or the session was reaped while this instance was frozen).
 */
export interface SessionSnapshot {
  id: string;
  name: string;
  nameKey: string;
  tokenDigest: string;
  room: string;
  roomSeq: number;
  /** The status the user chose (Session.chosen). */
  status: PresenceStatus;
}

export interface PrivateChatRecord {
  id: string;
  /** The two partners; `a` opened the chat. */
  a: UserRef;
  b: UserRef;
  call?: CallInfo;
}

export type OpenPrivateChatResult =
  | { ok: true; chat: PrivateChatRecord; changes: MembershipChange[] }
  | { ok: false; code: "partner_unavailable" | "already_in_chat" | "session_unknown" }
  | { ok: false; code: "partner_busy"; partnerName: string };

export type StartCallResult =
  { ok: true; call: CallInfo } | { ok: false; code: "no_private_chat" | "call_exists" };

/** One change to a room's member list, stamped with the room's new membership version. */
export interface MembershipChange {
  room: string;
  version: number;
  member: Member;
}

export type CreateSessionResult =
  | { ok: true; session: Session; token: string }
  | { ok: false; code: "name_taken" }
  | { ok: false; code: "rate_limited"; retryAfterMs: number };

/** A per-address budget of session claims: `points` per fixed window of `windowMs`; `now` in epoch ms. */
export interface ClaimBudget {
  address: string;
  points: number;
  windowMs: number;
  now: number;
}

/** Why a connection could not attach: its session is gone, or it already has the most tabs allowed. */
export type AttachRefusal = "session_unknown" | "too_many_connections";

export interface AttachResult {
  ok: true;
  session: Session;
  /** True when the session already had a live or grace-period presence (reload, reconnect). */
  resumed: boolean;
  /** Set when this attach made the user enter their room for the first time. */
  entered?: MembershipChange;
  /** Set when a new, active tab turned an automatically absent member back to online. */
  updated?: MembershipChange;
}

/** A room as a connection enters it: the member list at `version`, the kept history, its group call. */
export interface RoomView {
  version: number;
  members: Member[];
  /** Oldest first (the last HISTORY_LIMIT). */
  history: ChatMessage[];
  groupCall: RoomState["groupCall"];
}

/** What `connect` answers: the attach and the session's room read in the same step, or the refusal. */
export type ConnectResult =
  | (AttachResult & { view: RoomView })
  | { ok: false; code: "session_unknown" }
  | { ok: false; code: "too_many_connections"; userId: string };

/** What `leaveSession` answers: the ended session (null when there was none), or the wait when over budget. */
export type LeaveResult =
  { ok: true; ended: EndedSession | null } | { ok: false; code: "rate_limited"; retryAfterMs: number };

/** A private chat that ended, with the busy-flag changes of its partners' member entries. */
export interface ClosedChat {
  chat: PrivateChatRecord;
  changes: MembershipChange[];
}

export interface RoomMove {
  session: Session;
  /** Undefined when the user was already in the target room. */
  left?: MembershipChange;
  joined?: MembershipChange;
  /** A private chat is between members of one room: moving on closes it, in the same atomic step. */
  closedChat?: ClosedChat;
  /** So is a group call: moving on takes the mover out of it, in the same step. */
  leftCall?: LeftGroupCall;
  /** The room the session is now in, read in the same step. */
  view: RoomView;
}

/** A ring deadline that fired: the call was still ringing and has now ended as missed. */
/** A 1:1 call that ended without a hang-up: both partners are told. */
export interface EndedCall {
  chat: PrivateChatRecord;
  callId: string;
}

export interface MissedCall {
  chat: PrivateChatRecord;
  callId: string;
  callerId: string;
}

/** The first heartbeat of an instance run also takes over what earlier runs of the same id left. */
export interface HeartbeatResult {
  /** True when this run was not in the registry: new, or declared dead meanwhile. */
  added: boolean;
  /** Earlier runs (incarnations) of the same instance id that this heartbeat took over. */
  predecessors: string[];
  /** Members whose status changed because the takeover dropped their tabs (see TakeOverResult). */
  changes: MembershipChange[];
}

/** Dead instance runs taken over, and the member status changes that dropping their tabs caused. */
export interface TakeOverResult {
  instances: string[];
  /**
   * A session that keeps other tabs shows "absent" when every remaining one is idle (and back): the
   * rooms must be told, like after any detach.
   */
  changes: MembershipChange[];
}

export interface EndedSession {
  session: Session;
  /** Set when the user was a member of a room and has now left it. */
  left?: MembershipChange;
  /** Set when the user was in a group call and has now left it. */
  leftCall?: LeftGroupCall;
  /** The connections (tabs) the session still had, which are no longer attached to anything. */
  connections: string[];
}

export interface NewRoomMessage {
  room: string;
  from: UserRef;
  text: string;
  at: number;
  /** The sender's id for the message, kept with it (see ChatMessage.nonce). */
  nonce?: string;
}

/** What postRoomMessage answers. */
export type PostResult =
  | { ok: true; message: ChatMessage }
  | { ok: false; code: "not_in_room" }
  | { ok: false; code: "rate_limited"; retryAfterMs: number };

export const HISTORY_LIMIT = 100;

/** A session as its claim leaves it: online by choice, in no room until its first connection attaches. */
export const claimedSession = (
  id: string,
  input: { name: string; nameKey: string; room: string },
): Session => ({
  id,
  name: input.name,
  room: input.room,
  status: "online",
  chosen: "online",
  entered: false,
  nameKey: input.nameKey,
  roomSeq: 0,
});

/** The registry key of one run of an instance; `#` cannot occur in an INSTANCE_ID. */
export const instanceKey = (instanceId: string, incarnation: string) => `${instanceId}#${incarnation}`;

export interface Store extends GroupCallStore {
  readonly kind: "memory" | "redis";

  /**
   * Atomically claims `name` (compared by its folded key) and creates a session for it. The session
   * starts in its grace period: if no socket attaches before `graceDeadline`, it expires. With
   * `budget`, the claim is first charged to its address (shared across instances), taken name or
   * not; `rate_limited` with the wait once the address has spent it.
   */
  createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ): Promise<CreateSessionResult>;

  /** Resolves a handshake token to its live session's id. */
  findSessionIdByToken(token: string): Promise<string | null>;

  getSession(userId: string): Promise<Session | null>;

  /**
   * A new connection's whole join in one step (one round trip on Redis): resolves the handshake
   * `token` to its session, attaches `connectionId` like `attachConnection`, and reads the session's
   * room as it is right after (RoomView). `session_unknown` when the token resolves to no session.
   */
  connect(token: string, connectionId: string, maxConnections: number): Promise<ConnectResult>;

  /**
   * A connection of this session opened: it leaves the grace period and enters its room if new.
   * Connection ids are "<instance key>/<socketId>" (see `instanceKey`), so a dead instance's
   * connections can be found. Refused when the session is gone or already has `maxConnections`.
   */
  attachConnection(
    userId: string,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal }>;

  /**
   * Attaches like `attachConnection`, first rebuilding the session from `snapshot` if the Store lost
   * it: the name is claimed again (refused with name_taken when someone else holds it meanwhile),
   * the token resolves again, and the user re-enters the room with the snapshot's status.
   */
  restoreSession(
    snapshot: SessionSnapshot,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }>;

  /** A connection closed; with none left, the session enters its grace period until `graceDeadline`. */
  detachConnection(
    userId: string,
    connectionId: string,
    graceDeadline: number,
  ): Promise<{ changed?: MembershipChange }>;

  /**
   * A session in its grace period (no connection, e.g. claimed but not attached yet) gets `graceDeadline`
   * instead of its deadline. False when it has a connection or is gone (its grace ended and it was reaped).
   */
  renewGrace(userId: string, graceDeadline: number): Promise<boolean>;

  /**
   * One connection (tab) of the session became idle or hidden, or active again. The member's status
   * becomes "absent" when every connection is idle and the user chose "online", and back again.
   * Null when the session or the connection is unknown.
   */
  setConnectionIdle(
    userId: string,
    connectionId: string,
    idle: boolean,
  ): Promise<{ session: Session; changed?: MembershipChange } | null>;

  /**
   * Claims and ends every session whose grace period ended before `now`. Each session is returned
   * by exactly one caller, even when several instances reap at once.
   */
  takeExpiredSessions(now: number, limit: number): Promise<EndedSession[]>;

  /** Ends a session at once (explicit log-out): leaves the room and releases the name. */
  endSession(userId: string): Promise<EndedSession | null>;

  /**
   * The user's log-out (`session:leave`) in one step: charges their leave budget (`limit.points` per
   * fixed window of `limit.windowMs`, shared across instances; `rate_limited` with the wait when it is
   * spent), then ends the session like `endSession`. `now` is epoch ms.
   */
  leaveSession(
    userId: string,
    limit: { points: number; windowMs: number },
    now: number,
  ): Promise<LeaveResult>;

  moveToRoom(userId: string, room: string): Promise<RoomMove | null>;

  /** The user picks a status by hand (Session.chosen); the room sees the resulting Session.status. */
  setStatus(
    userId: string,
    status: PresenceStatus,
  ): Promise<{ session: Session; changed?: MembershipChange } | null>;

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
  postRoomMessage(message: NewRoomMessage, limit: { points: number; windowMs: number }): Promise<PostResult>;

  /** The kept history, oldest first; with `afterId`, only the messages that follow it. */
  roomHistory(room: string, afterId?: number): Promise<ChatMessage[]>;

  /** Member counts with the membership version they were read at, in the order of `rooms`. O(1) per room. */
  occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]>;

  /**
   * Atomically pairs two members of one room in a private chat, unless either is already in one.
   * Both members' `busy` flag changes; the changes are returned for the rooms.
   */
  openPrivateChat(userId: string, partnerId: string): Promise<OpenPrivateChatResult>;

  getPrivateChat(chatId: string): Promise<PrivateChatRecord | null>;

  /** Ends the chat (and its call) for both partners and forgets its messages. Null if already closed. */
  closePrivateChat(chatId: string): Promise<ClosedChat | null>;

  /** Null when the chat has closed meanwhile. */
  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ): Promise<PrivateMessage | null>;

  /** The chat's kept messages, oldest first (the last HISTORY_LIMIT). */
  privateHistory(chatId: string): Promise<PrivateMessage[]>;

  /**
   * Starts ringing in the chat unless it already has a call. The ring deadline (epoch ms) is stored
   * with the call and fired once by `takeMissedCalls`, whichever instance runs it.
   */
  startCall(chatId: string, callerId: string, ringDeadline: number): Promise<StartCallResult>;

  /** Ends, exactly once across callers, every call still ringing past its deadline at `now`. */
  takeMissedCalls(now: number, limit: number): Promise<MissedCall[]>;

  /** The callee answers a ringing call: accepted calls become active, declined ones are removed. */
  answerCall(chatId: string, calleeId: string, callId: string, accept: boolean): Promise<CallInfo | null>;

  /** Removes the call if it is still `callId` (and still ringing, with `onlyIfRinging`). */
  endCall(chatId: string, callId: string, onlyIfRinging?: boolean): Promise<boolean>;

  /** The partner to relay signalling to: only while `callId` is the sender's current call. One round trip. */
  callPartner(userId: string, callId: string): Promise<string | null>;

  /** The user's side of call `callId` (the caller's from the invite, the callee's from the accept) is held by `holder`. */
  holdCall(userId: string, callId: string, holder: CallHolder): Promise<void>;

  /**
   * As keepGroupCall, for the call of the user's private chat: when the page that held the user's side
   * is gone and another page attaches (a reload), the call ends (the chat stays); the ended call, else null.
   */
  keepCall(userId: string, holder: CallHolder): Promise<EndedCall | null>;

  /**
   * Marks an instance run alive at `now` (epoch ms). `instanceKey` is "<instance id>#<incarnation>",
   * new at every process start: when a run registers, every other run of the same instance id still
   * in the registry is taken over as dead at once (a restarted process never inherits its
   * predecessor's connections), its sessions getting `graceMs` from that run's last heartbeat.
   */
  heartbeat(instanceKey: string, now: number, graceMs: number): Promise<HeartbeatResult>;

  /**
   * Takes over every instance silent for longer than `ttlMs`: its connections are dropped, and
   * sessions left with none enter their grace period, counted from the instance's last heartbeat.
   * Each dead instance is returned to exactly one caller, with the status changes it caused.
   */
  takeOverDeadInstances(now: number, ttlMs: number, graceMs: number): Promise<TakeOverResult>;

  /** A clean shutdown: the instance leaves the registry (its connections were detached). */
  retireInstance(instanceId: string): Promise<void>;

  /** True when the backing service answers. */
  ping(): Promise<boolean>;

  close(): Promise<void>;
}
