// In-memory Store: the embedded default for one instance. Every method runs to completion without
// awaiting, so each is atomic the way the Redis scripts are.
import { randomUUID } from "node:crypto";
import type { CallInfo, ChatMessage, Member, PresenceStatus, PrivateMessage, UserRef } from "../protocol.js";
import type { MediaState } from "../protocol.js";
import type { CallHolder } from "./group-store.js";
import { MemoryGroupCalls } from "./memory-group.js";
import { newSessionId, newToken, sessionIdOf, tokenDigest } from "./tokens.js";
import {
  HISTORY_LIMIT,
  type AttachRefusal,
  type AttachResult,
  type ClaimBudget,
  type ClosedChat,
  type ConnectResult,
  type CreateSessionResult,
  type HeartbeatResult,
  type LeaveResult,
  type MissedCall,
  type EndedCall,
  type EndedSession,
  type MembershipChange,
  type NewRoomMessage,
  type PostResult,
  type OpenPrivateChatResult,
  type PrivateChatRecord,
  type RoomMove,
  type RoomView,
  type StartCallResult,
  type TakeOverResult,
  type Session,
  type SessionSnapshot,
  type Store,
} from "./store.js";

/** A fixed window of a per-user budget. */
interface Budget {
  used: number;
  /** Epoch ms at which the window ends. */
  resetAt: number;
}

/** Charges one point to `key` in `budgets`; null when within the limit, else the ms until the window ends. */
function charge(
  budgets: Map<string, Budget>,
  key: string,
  limit: { points: number; windowMs: number },
  now: number,
): number | null {
  let budget = budgets.get(key);
  if (!budget || budget.resetAt <= now) {
    budget = { used: 0, resetAt: now + limit.windowMs };
    budgets.set(key, budget);
  }
  budget.used += 1;
  return budget.used > limit.points ? Math.max(1, budget.resetAt - now) : null;
}

interface RoomRecord {
  version: number;
  lastMessageId: number;
  members: Map<string, Member>;
  history: ChatMessage[];
}

interface ChatRecord extends PrivateChatRecord {
  lastMessageId: number;
  messages: PrivateMessage[];
  /** Epoch ms at which a ringing call is missed. */
  ringDeadline?: number;
  /** Partner id -> the tab holding their side of the call `callId`. */
  holds?: Map<string, CallHolder & { callId: string }>;
}

interface SessionRecord extends Session {
  tokenDigest: string;
  connections: Set<string>;
  /** The connections that are idle or hidden (a subset of `connections`). */
  idle: Set<string>;
  /** Epoch ms after which the session expires; undefined while a connection is attached. */
  graceDeadline?: number;
}

export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly names = new Map<string, string>();
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly chats = new Map<string, ChatRecord>();
  /** Room-message and leave budgets per user: fixed windows, as in Redis. */
  private readonly postBudgets = new Map<string, Budget>();
  private readonly leaveBudgets = new Map<string, Budget>();
  /** Session claims per address (see createSession). */
  private readonly claimBudgets = new Map<string, Budget>();
  /** Instance runs by key, with their last heartbeat (epoch ms). */
  private readonly instances = new Map<string, number>();
  private readonly groups = new MemoryGroupCalls({
    session: (id) => this.sessions.get(id),
    refresh: (session) => this.refreshMember(session as SessionRecord),
    connected: (id, connection) => !!this.sessions.get(id)?.connections.has(connection),
  });

  async createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ): Promise<CreateSessionResult> {
    const waitMs = budget && charge(this.claimBudgets, budget.address, budget, budget.now);
    if (waitMs) return { ok: false, code: "rate_limited", retryAfterMs: waitMs };
    if (this.names.has(input.nameKey)) return { ok: false, code: "name_taken" };
    const id = newSessionId();
    const token = newToken(id);
    const record: SessionRecord = {
      id,
      name: input.name,
      room: input.room,
      status: "online",
      chosen: "online",
      entered: false,
      nameKey: input.nameKey,
      roomSeq: 0,
      tokenDigest: tokenDigest(token),
      connections: new Set(),
      idle: new Set(),
      graceDeadline: input.graceDeadline,
    };
    this.register(record);
    return { ok: true, session: toSession(record), token };
  }

  private register(record: SessionRecord): void {
    this.sessions.set(record.id, record);
    this.names.set(record.nameKey, record.id);
  }

  async findSessionIdByToken(token: string): Promise<string | null> {
    return this.byToken(token)?.id ?? null;
  }

  /** The session `token` names, when the token is the one it was given. */
  private byToken(token: string): SessionRecord | undefined {
    const record = this.sessions.get(sessionIdOf(token));
    return record?.tokenDigest === tokenDigest(token) ? record : undefined;
  }

  async getSession(userId: string): Promise<Session | null> {
    const record = this.sessions.get(userId);
    return record ? toSession(record) : null;
  }

  async connect(token: string, connectionId: string, maxConnections: number): Promise<ConnectResult> {
    const record = this.byToken(token);
    if (!record) return { ok: false, code: "session_unknown" };
    const attached = this.attach(record, connectionId, maxConnections);
    if (!attached.ok) return { ok: false, code: "too_many_connections", userId: record.id };
    return { ...attached, view: this.view(record.room) };
  }

  async attachConnection(
    userId: string,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal }> {
    const record = this.sessions.get(userId);
    if (!record) return { ok: false, code: "session_unknown" };
    return this.attach(record, connectionId, maxConnections);
  }

  async restoreSession(
    snapshot: SessionSnapshot,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }> {
    const existing = this.sessions.get(snapshot.id);
    if (existing) return this.attach(existing, connectionId, maxConnections);
    const holder = this.names.get(snapshot.nameKey);
    if (holder !== undefined && holder !== snapshot.id) return { ok: false, code: "name_taken" };
    const { tokenDigest: digest, ...rest } = snapshot;
    const record: SessionRecord = {
      ...rest,
      chosen: snapshot.status,
      entered: false,
      tokenDigest: digest,
      connections: new Set(),
      idle: new Set(),
    };
    this.register(record);
    return this.attach(record, connectionId, maxConnections);
  }

  private attach(
    record: SessionRecord,
    connectionId: string,
    maxConnections: number,
  ): AttachResult | { ok: false; code: AttachRefusal } {
    if (!record.connections.has(connectionId) && record.connections.size >= maxConnections)
      return { ok: false, code: "too_many_connections" };
    const resumed = record.entered;
    record.connections.add(connectionId);
    record.graceDeadline = undefined;
    // A new tab is active: it may bring an automatically absent member back.
    const updated = record.entered ? this.refreshStatus(record) : undefined;
    let entered: MembershipChange | undefined;
    if (!record.entered) {
      record.entered = true;
      record.status = effectiveStatus(record);
      entered = this.addMember(record.room, record);
    }
    return { ok: true, session: toSession(record), resumed, entered, ...(updated ? { updated } : {}) };
  }

  async renewGrace(userId: string, graceDeadline: number): Promise<boolean> {
    const record = this.sessions.get(userId);
    if (!record || record.connections.size > 0 || record.graceDeadline === undefined) return false;
    record.graceDeadline = graceDeadline;
    return true;
  }

  async detachConnection(
    userId: string,
    connectionId: string,
    graceDeadline: number,
  ): Promise<{ changed?: MembershipChange }> {
    const record = this.sessions.get(userId);
    if (!record) return {};
    record.connections.delete(connectionId);
    record.idle.delete(connectionId);
    if (record.connections.size === 0) {
      record.graceDeadline = graceDeadline;
      return {};
    }
    const changed = this.refreshStatus(record);
    return changed ? { changed } : {};
  }

  async setConnectionIdle(userId: string, connectionId: string, idle: boolean) {
    const record = this.sessions.get(userId);
    if (!record?.connections.has(connectionId)) return null;
    if (idle) record.idle.add(connectionId);
    else record.idle.delete(connectionId);
    const changed = this.refreshStatus(record);
    return { session: toSession(record), ...(changed ? { changed } : {}) };
  }

  /** Recomputes the member's status from its choice and its tabs; the change, if any. */
  private refreshStatus(record: SessionRecord): MembershipChange | undefined {
    const status = effectiveStatus(record);
    if (status === record.status) return undefined;
    record.status = status;
    return this.refreshMember(record)[0];
  }

  async takeExpiredSessions(now: number, limit: number): Promise<EndedSession[]> {
    const expired: EndedSession[] = [];
    for (const record of this.sessions.values()) {
      if (expired.length >= limit) break;
      if (record.graceDeadline !== undefined && record.graceDeadline <= now) expired.push(this.end(record));
    }
    return expired;
  }

  async endSession(userId: string): Promise<EndedSession | null> {
    const record = this.sessions.get(userId);
    return record ? this.end(record) : null;
  }

  async leaveSession(
    userId: string,
    limit: { points: number; windowMs: number },
    now: number,
  ): Promise<LeaveResult> {
    const waitMs = charge(this.leaveBudgets, userId, limit, now);
    if (waitMs !== null) return { ok: false, code: "rate_limited", retryAfterMs: waitMs };
    const record = this.sessions.get(userId);
    return { ok: true, ended: record ? this.end(record) : null };
  }

  /** The room as a connection enters it (see RoomView). */
  private view(room: string): RoomView {
    const record = this.room(room);
    const members = [...record.members.values()];
    return {
      version: record.version,
      members,
      history: [...record.history],
      groupCall: this.groups.of(room),
    };
  }

  async moveToRoom(userId: string, room: string): Promise<RoomMove | null> {
    const record = this.sessions.get(userId);
    if (!record) return null;
    if (record.room === room) return { session: toSession(record), view: this.view(room) };
    const closedChat = record.chatId ? this.closeChat(record.chatId) : undefined;
    const leftCall = this.groups.leave(record);
    const left = record.entered ? this.removeMember(record.room, record.id) : undefined;
    record.room = room;
    record.roomSeq += 1;
    const joined = record.entered ? this.addMember(room, record) : undefined;
    return {
      session: toSession(record),
      left,
      joined,
      ...(closedChat ? { closedChat } : {}),
      ...(leftCall ? { leftCall } : {}),
      view: this.view(room),
    };
  }

  async setStatus(userId: string, status: PresenceStatus) {
    const record = this.sessions.get(userId);
    if (!record) return null;
    record.chosen = status;
    record.status = effectiveStatus(record);
    const changed = record.entered ? this.addMember(record.room, record) : undefined;
    return { session: toSession(record), changed };
  }

  async roomSnapshot(room: string): Promise<{ version: number; members: Member[] }> {
    const record = this.room(room);
    return { version: record.version, members: [...record.members.values()] };
  }

  async roomVersion(room: string): Promise<number> {
    return this.rooms.get(room)?.version ?? 0;
  }

  async appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage> {
    const record = this.room(message.room);
    // Seeded from the clock, as in Redis: ids keep increasing across a loss of the Store's data.
    if (record.lastMessageId === 0) record.lastMessageId = message.at;
    const stored: ChatMessage = { id: ++record.lastMessageId, ...message };
    record.history.push(stored);
    if (record.history.length > HISTORY_LIMIT)
      record.history.splice(0, record.history.length - HISTORY_LIMIT);
    return stored;
  }

  async postRoomMessage(
    message: NewRoomMessage,
    limit: { points: number; windowMs: number },
  ): Promise<PostResult> {
    if (!this.room(message.room).members.has(message.from.id))
      return { ok: false as const, code: "not_in_room" as const };
    const waitMs = charge(this.postBudgets, message.from.id, limit, message.at);
    if (waitMs !== null) return { ok: false as const, code: "rate_limited" as const, retryAfterMs: waitMs };
    return { ok: true as const, message: await this.appendRoomMessage(message) };
  }

  async roomHistory(room: string, afterId?: number): Promise<ChatMessage[]> {
    const history = this.room(room).history;
    return afterId === undefined ? [...history] : history.filter((message) => message.id > afterId);
  }

  async occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]> {
    return rooms.map((room) => {
      const record = this.rooms.get(room);
      return { count: record?.members.size ?? 0, version: record?.version ?? 0 };
    });
  }

  async openPrivateChat(userId: string, partnerId: string): Promise<OpenPrivateChatResult> {
    const me = this.sessions.get(userId);
    const partner = this.sessions.get(partnerId);
    if (!me) return { ok: false, code: "session_unknown" };
    if (!partner || partner.id === me.id || !partner.entered || partner.room !== me.room) {
      return { ok: false, code: "partner_unavailable" };
    }
    if (me.chatId || me.groupCallId) return { ok: false, code: "already_in_chat" };
    if (partner.chatId || partner.groupCallId)
      return { ok: false, code: "partner_busy", partnerName: partner.name };
    const chat: ChatRecord = {
      id: randomUUID(),
      a: ref(me),
      b: ref(partner),
      lastMessageId: 0,
      messages: [],
    };
    this.chats.set(chat.id, chat);
    me.chatId = partner.chatId = chat.id;
    const changes = [me, partner].flatMap((record) => this.refreshMember(record));
    return { ok: true, chat: publicChat(chat), changes };
  }

  async getPrivateChat(chatId: string): Promise<PrivateChatRecord | null> {
    const chat = this.chats.get(chatId);
    return chat ? publicChat(chat) : null;
  }

  async closePrivateChat(chatId: string): Promise<ClosedChat | null> {
    return this.closeChat(chatId) ?? null;
  }

  private closeChat(chatId: string): ClosedChat | undefined {
    const chat = this.chats.get(chatId);
    if (!chat) return undefined;
    this.chats.delete(chatId);
    const changes: MembershipChange[] = [];
    for (const side of [chat.a, chat.b]) {
      const record = this.sessions.get(side.id);
      if (record?.chatId !== chatId) continue;
      record.chatId = undefined;
      changes.push(...this.refreshMember(record));
    }
    return { chat: publicChat(chat), changes };
  }

  async appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ) {
    const chat = this.chats.get(chatId);
    if (!chat) return null;
    const stored: PrivateMessage = { id: ++chat.lastMessageId, chatId, ...message };
    chat.messages.push(stored);
    if (chat.messages.length > HISTORY_LIMIT) chat.messages.shift();
    return stored;
  }

  async privateHistory(chatId: string): Promise<PrivateMessage[]> {
    return [...(this.chats.get(chatId)?.messages ?? [])];
  }

  async startCall(chatId: string, callerId: string, ringDeadline: number): Promise<StartCallResult> {
    const chat = this.chats.get(chatId);
    if (!chat) return { ok: false, code: "no_private_chat" };
    if (chat.call) return { ok: false, code: "call_exists" };
    chat.call = { id: randomUUID(), callerId, state: "ringing" };
    chat.ringDeadline = ringDeadline;
    return { ok: true, call: { ...chat.call } };
  }

  async takeMissedCalls(now: number, limit: number): Promise<MissedCall[]> {
    const missed: MissedCall[] = [];
    for (const chat of this.chats.values()) {
      if (missed.length >= limit) break;
      const { call, ringDeadline } = chat;
      if (call?.state !== "ringing" || ringDeadline === undefined || ringDeadline > now) continue;
      chat.call = chat.ringDeadline = undefined;
      missed.push({ chat: publicChat(chat), callId: call.id, callerId: call.callerId });
    }
    return missed;
  }

  async answerCall(
    chatId: string,
    calleeId: string,
    callId: string,
    accept: boolean,
  ): Promise<CallInfo | null> {
    const call = this.chats.get(chatId)?.call;
    if (!call || call.id !== callId || call.state !== "ringing" || call.callerId === calleeId) return null;
    if (accept) call.state = "active";
    else this.chats.get(chatId)!.call = undefined;
    return { ...call };
  }

  async endCall(chatId: string, callId: string, onlyIfRinging = false): Promise<boolean> {
    const chat = this.chats.get(chatId);
    if (chat?.call?.id !== callId || (onlyIfRinging && chat.call.state !== "ringing")) return false;
    chat.call = undefined;
    return true;
  }

  async callPartner(userId: string, callId: string): Promise<string | null> {
    const chatId = this.sessions.get(userId)?.chatId;
    const chat = chatId ? this.chats.get(chatId) : undefined;
    if (!chat || chat.call?.id !== callId) return null;
    return chat.a.id === userId ? chat.b.id : chat.a.id;
  }

  async holdCall(userId: string, callId: string, holder: CallHolder): Promise<void> {
    const chat = this.chats.get(this.sessions.get(userId)?.chatId ?? "");
    if (chat?.call?.id === callId) (chat.holds ??= new Map()).set(userId, { ...holder, callId });
  }

  async keepCall(userId: string, holder: CallHolder): Promise<EndedCall | null> {
    const record = this.sessions.get(userId);
    const chat = this.chats.get(record?.chatId ?? "");
    const held = chat?.holds?.get(userId);
    if (!record || !chat?.call || held?.callId !== chat.call.id) return null;
    if (held.page === holder.page) held.connection = holder.connection;
    if (held.page === holder.page || record.connections.has(held.connection)) return null;
    const callId = chat.call.id;
    chat.call = chat.ringDeadline = undefined;
    return { chat: publicChat(chat), callId };
  }

  // One process is usually the whole deployment, but the registry keeps the Redis Store's semantics
  // (the contract suite runs both), so liveness code behaves the same on either.
  async heartbeat(key: string, now: number, graceMs: number): Promise<HeartbeatResult> {
    const added = !this.instances.has(key);
    this.instances.set(key, now);
    const predecessors: string[] = [];
    const changes: MembershipChange[] = [];
    if (added) {
      const id = key.split("#")[0];
      for (const [other, seen] of this.instances) {
        if (other === key || other.split("#")[0] !== id) continue;
        this.takeOver(other, seen + graceMs, changes);
        predecessors.push(other);
      }
    }
    return { added, predecessors, changes };
  }

  async takeOverDeadInstances(now: number, ttlMs: number, graceMs: number): Promise<TakeOverResult> {
    const dead = [...this.instances].filter(([, seen]) => seen < now - ttlMs);
    const changes: MembershipChange[] = [];
    for (const [key, seen] of dead) this.takeOver(key, seen + graceMs, changes);
    return { instances: dead.map(([key]) => key), changes };
  }

  /**
   * Drops a dead run's connections; sessions left with none get `deadline` unless theirs is earlier,
   * the others get their status derived again from the tabs they keep (added to `changes`).
   */
  private takeOver(key: string, deadline: number, changes: MembershipChange[]): void {
    this.instances.delete(key);
    for (const record of this.sessions.values()) {
      const theirs = [...record.connections].filter((id) => instanceOf(id) === key);
      if (theirs.length === 0) continue;
      for (const id of theirs) {
        record.connections.delete(id);
        record.idle.delete(id);
      }
      if (record.connections.size === 0)
        record.graceDeadline = Math.min(record.graceDeadline ?? Infinity, deadline);
      else {
        const changed = this.refreshStatus(record);
        if (changed) changes.push(changed);
      }
    }
  }

  async retireInstance(key: string): Promise<void> {
    this.instances.delete(key);
  }

  async startGroupCall(userId: string, callId: string, max: number, holder: CallHolder) {
    return this.groups.start(userId, callId, max, holder);
  }

  async joinGroupCall(userId: string, callId: string, holder: CallHolder) {
    return this.groups.join(userId, callId, holder);
  }

  async keepGroupCall(userId: string, holder: CallHolder) {
    return this.groups.keep(userId, holder);
  }

  async takeLostHolders(now: number, graceMs: number) {
    return this.groups.takeLost(now, graceMs); // one process: every call is in reach, whatever the room
  }

  async setGroupCallMedia(userId: string, media: MediaState) {
    return this.groups.setMedia(userId, media);
  }

  async leaveGroupCall(userId: string) {
    const record = this.sessions.get(userId);
    return (record && this.groups.leave(record)) ?? null;
  }

  async inviteToGroupCall(inviterId: string, inviteeId: string, deadline: number) {
    return this.groups.invite(inviterId, inviteeId, deadline);
  }

  async declineGroupInvite(inviteeId: string, callId: string) {
    return this.groups.decline(inviteeId, callId);
  }

  async takeMissedInvites(now: number, limit: number) {
    return this.groups.takeMissed(now, limit);
  }

  async groupCallPeers(userId: string, callId: string, peerId: string) {
    return this.groups.peers(userId, callId, peerId);
  }

  async groupCallOf(room: string) {
    return this.groups.of(room);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private end(record: SessionRecord): EndedSession {
    const leftCall = this.groups.leave(record);
    this.sessions.delete(record.id);
    this.names.delete(record.nameKey);
    const left = record.entered ? this.removeMember(record.room, record.id) : undefined;
    const connections = [...record.connections];
    return { session: toSession(record), left, connections, ...(leftCall ? { leftCall } : {}) };
  }

  private room(name: string): RoomRecord {
    let record = this.rooms.get(name);
    if (!record) {
      record = { version: 0, lastMessageId: 0, members: new Map(), history: [] };
      this.rooms.set(name, record);
    }
    return record;
  }

  /** Adds or refreshes a member and bumps the room's membership version. */
  private addMember(room: string, session: Session): MembershipChange {
    const record = this.room(room);
    const member: Member = {
      id: session.id,
      name: session.name,
      status: session.status,
      // One conversation at a time: a private chat or the room's group call makes a member busy.
      busy: !!session.chatId || !!session.groupCallId,
      ...(session.groupCallId ? { inCall: true } : {}),
    };
    record.members.set(member.id, member);
    return { room, version: ++record.version, member };
  }

  /** Re-announces a member whose own fields (status, busy) changed, if they are in a room. */
  private refreshMember(record: SessionRecord): MembershipChange[] {
    return record.entered && this.room(record.room).members.has(record.id)
      ? [this.addMember(record.room, record)]
      : [];
  }

  private removeMember(room: string, userId: string): MembershipChange | undefined {
    const record = this.room(room);
    const member = record.members.get(userId);
    if (!member) return undefined;
    record.members.delete(userId);
    return { room, version: ++record.version, member };
  }
}

function toSession(record: SessionRecord): Session {
  const { id, name, room, status, chosen, entered, chatId, groupCallId, nameKey, roomSeq } = record;
  const session: Session = { id, name, room, status, chosen, entered, nameKey, roomSeq };
  return { ...session, ...(chatId ? { chatId } : {}), ...(groupCallId ? { groupCallId } : {}) };
}

/** The status the room sees: absent while every tab of a session that chose "online" is idle. */
function effectiveStatus(record: SessionRecord): PresenceStatus {
  if (record.chosen !== "online") return record.chosen;
  const allIdle = record.connections.size > 0 && [...record.connections].every((id) => record.idle.has(id));
  return allIdle ? "absent" : "online";
}

/** Connection ids are "<instance key>/<socket id>"; ids without a slash belong to no instance. */
const instanceOf = (connectionId: string) => {
  const slash = connectionId.indexOf("/");
  return slash < 0 ? undefined : connectionId.slice(0, slash);
};

const ref = (session: Session): UserRef => ({ id: session.id, name: session.name });

function publicChat(chat: ChatRecord): PrivateChatRecord {
  const { id, a, b, call } = chat;
  return call ? { id, a, b, call: { ...call } } : { id, a, b };
}
