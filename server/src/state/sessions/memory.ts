// The memory Store's sessions: name claims, tokens, status, room moves and the end of a session.
// Every method runs without awaiting, so each is atomic like the Redis scripts.
import type { PresenceStatus } from "@videochat/protocol";
import type { MemoryRooms } from "../rooms/memory.js";
import { charge, effectiveStatus, toSession, type Budget, type SessionRecord } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import { newSessionId, newToken, sessionIdOf, tokenDigest } from "../tokens.js";
import type {
  ClosedChat,
  LeftGroupCall,
  MembershipChange,
  PresenceResult,
  Session,
  StepCharge,
} from "../types.js";
import {
  claimedSession,
  type ClaimBudget,
  type CreateSessionResult,
  type EndedSession,
  type LeaveResult,
  type RoomMove,
  type SessionsStore,
} from "./contract.js";

/** The conversations a session leaves with its room or its end (the private chats and group calls). */
export interface Conversations {
  closeChat(chatId: string): ClosedChat | undefined;
  leaveGroupCall(record: SessionRecord): LeftGroupCall | undefined;
}

export class MemorySessions implements Immediate<SessionsStore> {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly names = new Map<string, string>();
  /** Leave budgets per user: fixed windows, as in Redis. */
  private readonly leaveBudgets = new Map<string, Budget>();
  /** Per user: presence changes (setStatus, setConnectionIdle). */
  private readonly presenceBudgets = new Map<string, Budget>();
  /** Session claims per address (see createSession). */
  private readonly claimBudgets = new Map<string, Budget>();
  /** Client address -> its live sessions' ids (ClaimBudget.sessions). */
  private readonly liveByAddress = new Map<string, Set<string>>();

  constructor(
    private readonly rooms: MemoryRooms,
    private readonly conversations: Conversations,
  ) {}

  createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ): CreateSessionResult {
    const waitMs = budget && charge(this.claimBudgets, budget.address, budget, budget.now);
    if (waitMs) return { ok: false, code: "rate_limited", retryAfterMs: waitMs };
    const live = budget?.sessions ? (this.liveByAddress.get(budget.address)?.size ?? 0) : 0;
    if (budget?.sessions && live >= budget.sessions.max) return { ok: false, code: "too_many_sessions" };
    if (this.names.has(input.nameKey)) return { ok: false, code: "name_taken" };
    const id = newSessionId();
    const token = newToken(id);
    const record: SessionRecord = {
      ...claimedSession(id, input),
      tokenDigest: tokenDigest(token),
      connections: new Set(),
      idle: new Set(),
      graceDeadline: input.graceDeadline,
    };
    let crowdedNow: string[] | undefined;
    if (budget?.sessions) {
      record.address = budget.address;
      if (live + 1 >= budget.sessions.crowdedAt) record.crowded = true;
      const held = this.liveByAddress.get(budget.address) ?? new Set<string>();
      // This claim makes the address crowded: its other live sessions are, from now on.
      if (live > 0 && live + 1 === budget.sessions.crowdedAt) {
        crowdedNow = [...held];
        for (const other of held) {
          const otherRecord = this.sessions.get(other);
          if (otherRecord) otherRecord.crowded = true;
        }
      }
      this.liveByAddress.set(budget.address, held.add(id));
    }
    this.register(record);
    return { ok: true, session: toSession(record), token, ...(crowdedNow ? { crowdedNow } : {}) };
  }

  /** Adds a session record and its name claim. */
  register(record: SessionRecord): void {
    this.sessions.set(record.id, record);
    this.names.set(record.nameKey, record.id);
  }

  /** The id of the session holding the claim of `nameKey`, if any. */
  nameHolder(nameKey: string): string | undefined {
    return this.names.get(nameKey);
  }

  /** The live record (not a copy): only the Store's parts may hold it. */
  record(userId: string): SessionRecord | undefined {
    return this.sessions.get(userId);
  }

  /** Every live record, for sweeps. */
  records(): IterableIterator<SessionRecord> {
    return this.sessions.values();
  }

  getSession(userId: string): Session | null {
    const record = this.sessions.get(userId);
    return record ? toSession(record) : null;
  }

  /** The session `token` names, when the token is the one it was given. */
  byToken(token: string): SessionRecord | undefined {
    const record = this.sessions.get(sessionIdOf(token));
    return record?.tokenDigest === tokenDigest(token) ? record : undefined;
  }

  /** The id of the session `token` names (see byToken). */
  findSessionIdByToken(token: string): string | null {
    return this.byToken(token)?.id ?? null;
  }

  /** Recomputes the member's status from its choice and its tabs; the change, if any. */
  refreshStatus(record: SessionRecord): MembershipChange | undefined {
    const status = effectiveStatus(record);
    if (status === record.status) return undefined;
    record.status = status;
    return this.rooms.refreshMember(record)[0];
  }

  /**
   * Charges `userId`'s presence budget (setStatus and setConnectionIdle share it): the ms to wait once
   * it is spent, else null. No charge: null.
   */
  chargePresence(userId: string, budget: StepCharge | undefined): number | null {
    return budget ? charge(this.presenceBudgets, userId, budget, budget.now) : null;
  }

  /** `_activeTab`: a hint the Redis Store uses to skip a read; the tabs are read here anyway. */
  setStatus(
    userId: string,
    status: PresenceStatus,
    budget?: StepCharge,
    _activeTab?: boolean,
  ): PresenceResult | null {
    const record = this.sessions.get(userId);
    if (!record) return null;
    const retryAfterMs = this.chargePresence(userId, budget);
    if (retryAfterMs !== null) return { session: toSession(record), retryAfterMs };
    record.chosen = status;
    record.status = effectiveStatus(record);
    const changed = record.entered ? this.rooms.addMember(record.room, record) : undefined;
    return { session: toSession(record), changed };
  }

  moveToRoom(userId: string, room: string): RoomMove | null {
    const record = this.sessions.get(userId);
    if (!record) return null;
    if (record.room === room) return { session: toSession(record), view: this.rooms.view(room) };
    const closedChat = record.chatId ? this.conversations.closeChat(record.chatId) : undefined;
    const leftCall = this.conversations.leaveGroupCall(record);
    const left = record.entered ? this.rooms.removeMember(record.room, record.id) : undefined;
    record.room = room;
    record.roomSeq += 1;
    const joined = record.entered ? this.rooms.addMember(room, record) : undefined;
    return {
      session: toSession(record),
      left,
      joined,
      ...(closedChat ? { closedChat } : {}),
      ...(leftCall ? { leftCall } : {}),
      view: this.rooms.view(room),
    };
  }

  takeExpiredSessions(now: number, limit: number): EndedSession[] {
    const expired: EndedSession[] = [];
    for (const record of this.sessions.values()) {
      if (expired.length >= limit) break;
      if (record.graceDeadline !== undefined && record.graceDeadline <= now) expired.push(this.end(record));
    }
    return expired;
  }

  endSession(userId: string): EndedSession | null {
    const record = this.sessions.get(userId);
    return record ? this.end(record) : null;
  }

  leaveSession(userId: string, limit: { points: number; windowMs: number }, now: number): LeaveResult {
    // A session ends once, so the leave that ends it fits any budget of a point or more: only leaves
    // that find no session are charged (the Redis Store's leave then costs no budget command).
    const record = this.sessions.get(userId);
    if (record && limit.points >= 1) return { ok: true, ended: this.end(record) };
    const waitMs = charge(this.leaveBudgets, userId, limit, now);
    if (waitMs !== null) return { ok: false, code: "rate_limited", retryAfterMs: waitMs };
    return { ok: true, ended: null };
  }

  private end(record: SessionRecord): EndedSession {
    const leftCall = this.conversations.leaveGroupCall(record);
    this.sessions.delete(record.id);
    this.names.delete(record.nameKey);
    const held = record.address === undefined ? undefined : this.liveByAddress.get(record.address);
    if (held?.delete(record.id) && held.size === 0) this.liveByAddress.delete(record.address!);
    const left = record.entered ? this.rooms.removeMember(record.room, record.id) : undefined;
    const connections = [...record.connections];
    // Its private chat ends with it, in this same step: only the partner's busy flag changes.
    const closedChat = record.chatId ? this.conversations.closeChat(record.chatId) : undefined;
    return {
      session: toSession(record),
      left,
      connections,
      ...(leftCall ? { leftCall } : {}),
      ...(closedChat ? { closedChat } : {}),
    };
  }
}
