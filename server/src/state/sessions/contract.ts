// The Store's sessions: name claims, handshake tokens, the chosen status, room moves and the end of a
// session (reaped after its grace period, ended, or left by the user).
import type { PresenceStatus } from "@videochat/protocol";
import { methodsOf } from "../methods.js";
import type {
  ClosedChat,
  LeftGroupCall,
  MembershipChange,
  RoomView,
  Session,
  WindowLimit,
  PresenceResult,
  StepCharge,
} from "../types.js";

export type CreateSessionResult =
  | {
      ok: true;
      session: Session;
      token: string;
      /**
       * The claim made its address crowded (ClaimBudget.sessions.crowdedAt): the ids of the address's
       * other live sessions, crowded from now on too (Session.crowded); their sockets must be told.
       */
      crowdedNow?: string[];
    }
  | { ok: false; code: "name_taken" }
  | { ok: false; code: "rate_limited"; retryAfterMs: number }
  | { ok: false; code: "too_many_sessions" };

/**
 * A per-address budget of session claims: `points` per fixed window of `windowMs`; `now` in epoch ms.
 * With `sessions`, the address's live sessions are counted too: at most `max` at once, and a session
 * claimed while the address holds `crowdedAt` or more (itself included) is crowded (Session.crowded).
 */
export interface ClaimBudget {
  address: string;
  points: number;
  windowMs: number;
  now: number;
  sessions?: { max: number; crowdedAt: number };
}

/** What `leaveSession` answers: the ended session (null when there was none), or the wait when over budget. */
export type LeaveResult =
  { ok: true; ended: EndedSession | null } | { ok: false; code: "rate_limited"; retryAfterMs: number };

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

export interface EndedSession {
  session: Session;
  /** Set when the user was a member of a room and has now left it. */
  left?: MembershipChange;
  /** Set when the user was in a group call and has now left it. */
  leftCall?: LeftGroupCall;
  /** Set when the user had a private chat: it is closed for both, in the same step. */
  closedChat?: ClosedChat;
  /** The connections (tabs) the session still had, which are no longer attached to anything. */
  connections: string[];
}

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

export interface SessionsStore {
  /**
   * Atomically claims `name` (compared by its folded key) and creates a session for it. The session
   * starts in its grace period: if no socket attaches before `graceDeadline`, it expires. With
   * `budget`, the claim is first charged to its address (shared across instances), taken name or
   * not; `rate_limited` with the wait once the address has spent it. With `budget.sessions`, then
   * `too_many_sessions` when the address holds `max` live sessions already; a session counts from its
   * claim until it ends (left, expired or ended). A session claimed while its address holds `crowdedAt`
   * (itself included) is crowded, and the claim that makes the address crowded marks the address's
   * other live sessions crowded as well (`crowdedNow`): a mark, once set, stays until the session ends.
   */
  createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ): Promise<CreateSessionResult>;

  /** Resolves a handshake token to its live session's id. */
  findSessionIdByToken(token: string): Promise<string | null>;

  getSession(userId: string): Promise<Session | null>;

  /**
   * Claims and ends every session whose grace period ended before `now`. Each session is returned
   * by exactly one caller, even when several instances reap at once.
   */
  takeExpiredSessions(now: number, limit: number): Promise<EndedSession[]>;

  /** Ends a session at once (explicit log-out): leaves the room and releases the name. */
  endSession(userId: string): Promise<EndedSession | null>;

  /**
   * The user's log-out (`session:leave`) in one step: ends the session like `endSession`; a leave that
   * finds no session (a repeat, a flood after the end) is charged to their leave budget (`limit.points`
   * per fixed window of `limit.windowMs`, shared across instances; `rate_limited` with the wait when it
   * is spent). A session ends once, so the leave that ends it is not charged (with points ≥ 1; a budget
   * of 0 refuses every leave). `now` is epoch ms.
   */
  leaveSession(userId: string, limit: WindowLimit, now: number): Promise<LeaveResult>;

  moveToRoom(userId: string, room: string): Promise<RoomMove | null>;

  /**
   * The user picks a status by hand (Session.chosen); the room sees the resulting Session.status.
   * With `charge`, first charges the user's presence budget (shared with setConnectionIdle): once
   * spent, nothing changes and the result carries `retryAfterMs`. Null: no such session.
   * `activeTab`: the caller knows the tab making the choice to be one of the session's connections and
   * not idle, so a choice of online shows online without reading the other tabs (the Redis Store then
   * skips that read; the memory Store reads them anyway). Leave it out when unsure.
   */
  setStatus(
    userId: string,
    status: PresenceStatus,
    charge?: StepCharge,
    activeTab?: boolean,
  ): Promise<PresenceResult | null>;
}

/** The names composeStore binds (the compiler keeps this list equal to SessionsStore's methods). */
export const sessionsMethods = methodsOf<SessionsStore>()([
  "createSession",
  "findSessionIdByToken",
  "getSession",
  "takeExpiredSessions",
  "endSession",
  "leaveSession",
  "moveToRoom",
  "setStatus",
]);
