// The Store: all shared state (sessions, names, room membership, presence, room history) behind
// intention-revealing methods. The memory and Redis implementations pass one contract suite.
import type { ChatMessage, Member, PresenceStatus, UserRef } from "../protocol.js";

export interface Session {
  id: string;
  name: string;
  room: string;
  status: PresenceStatus;
  /** False until the first socket attaches: only then does the user appear in the room. */
  entered: boolean;
}

/** One change to a room's member list, stamped with the room's new membership version. */
export interface MembershipChange {
  room: string;
  version: number;
  member: Member;
}

export type CreateSessionResult =
  { ok: true; session: Session; token: string } | { ok: false; code: "name_taken" };

export interface AttachResult {
  session: Session;
  /** True when the session already had a live or grace-period presence (reload, reconnect). */
  resumed: boolean;
  /** Set when this attach made the user enter their room for the first time. */
  entered?: MembershipChange;
}

export interface RoomMove {
  session: Session;
  /** Undefined when the user was already in the target room. */
  left?: MembershipChange;
  joined?: MembershipChange;
}

export interface EndedSession {
  session: Session;
  /** Set when the user was a member of a room and has now left it. */
  left?: MembershipChange;
}

export interface NewRoomMessage {
  room: string;
  from: UserRef;
  text: string;
  at: number;
}

export const HISTORY_LIMIT = 100;

export interface Store {
  readonly kind: "memory" | "redis";

  /**
   * Atomically claims `name` (compared by its folded key) and creates a session for it. The session
   * starts in its grace period: if no socket attaches before `graceDeadline`, it expires.
   */
  createSession(input: {
    name: string;
    nameKey: string;
    room: string;
    graceDeadline: number;
  }): Promise<CreateSessionResult>;

  /** Resolves a handshake token to its live session's id. */
  findSessionIdByToken(token: string): Promise<string | null>;

  getSession(userId: string): Promise<Session | null>;

  /** A connection of this session opened: it leaves the grace period and enters its room if new. */
  attachConnection(userId: string, connectionId: string): Promise<AttachResult | null>;

  /** A connection closed; with none left, the session enters its grace period until `graceDeadline`. */
  detachConnection(userId: string, connectionId: string, graceDeadline: number): Promise<void>;

  /**
   * Claims and ends every session whose grace period ended before `now`. Each session is returned
   * by exactly one caller, even when several instances reap at once.
   */
  takeExpiredSessions(now: number, limit: number): Promise<EndedSession[]>;

  /** Ends a session at once (explicit log-out): leaves the room and releases the name. */
  endSession(userId: string): Promise<EndedSession | null>;

  moveToRoom(userId: string, room: string): Promise<RoomMove | null>;

  setStatus(
    userId: string,
    status: PresenceStatus,
  ): Promise<{ session: Session; changed?: MembershipChange } | null>;

  roomSnapshot(room: string): Promise<{ version: number; members: Member[] }>;

  /** Gives the message the room's next id and keeps the last HISTORY_LIMIT. */
  appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage>;

  /** The kept history, oldest first; with `afterId`, only the messages that follow it. */
  roomHistory(room: string, afterId?: number): Promise<ChatMessage[]>;

  /** Member counts, in the order of `rooms`. */
  occupancy(rooms: readonly string[]): Promise<number[]>;

  /** True when the backing service answers. */
  ping(): Promise<boolean>;

  close(): Promise<void>;
}
