// In-memory Store: the embedded default for one instance. Every method runs to completion without
// awaiting, so each is atomic the way the Redis scripts are.
import type { ChatMessage, Member, PresenceStatus } from "../protocol.js";
import { newSessionId, newToken, tokenDigest } from "./tokens.js";
import {
  HISTORY_LIMIT,
  type AttachResult,
  type CreateSessionResult,
  type EndedSession,
  type MembershipChange,
  type NewRoomMessage,
  type RoomMove,
  type Session,
  type Store,
} from "./store.js";

interface RoomRecord {
  version: number;
  lastMessageId: number;
  members: Map<string, Member>;
  history: ChatMessage[];
}

interface SessionRecord extends Session {
  nameKey: string;
  tokenDigest: string;
  connections: Set<string>;
  /** Epoch ms after which the session expires; undefined while a connection is attached. */
  graceDeadline?: number;
}

export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly names = new Map<string, string>();
  private readonly tokens = new Map<string, string>();
  private readonly rooms = new Map<string, RoomRecord>();

  async createSession(input: {
    name: string;
    nameKey: string;
    room: string;
    graceDeadline: number;
  }): Promise<CreateSessionResult> {
    if (this.names.has(input.nameKey)) return { ok: false, code: "name_taken" };
    const token = newToken();
    const record: SessionRecord = {
      id: newSessionId(),
      name: input.name,
      room: input.room,
      status: "online",
      entered: false,
      nameKey: input.nameKey,
      tokenDigest: tokenDigest(token),
      connections: new Set(),
      graceDeadline: input.graceDeadline,
    };
    this.sessions.set(record.id, record);
    this.names.set(record.nameKey, record.id);
    this.tokens.set(record.tokenDigest, record.id);
    return { ok: true, session: toSession(record), token };
  }

  async findSessionIdByToken(token: string): Promise<string | null> {
    return this.tokens.get(tokenDigest(token)) ?? null;
  }

  async getSession(userId: string): Promise<Session | null> {
    const record = this.sessions.get(userId);
    return record ? toSession(record) : null;
  }

  async attachConnection(userId: string, connectionId: string): Promise<AttachResult | null> {
    const record = this.sessions.get(userId);
    if (!record) return null;
    const resumed = record.entered;
    record.connections.add(connectionId);
    record.graceDeadline = undefined;
    let entered: MembershipChange | undefined;
    if (!record.entered) {
      record.entered = true;
      entered = this.addMember(record.room, record);
    }
    return { session: toSession(record), resumed, entered };
  }

  async detachConnection(userId: string, connectionId: string, graceDeadline: number): Promise<void> {
    const record = this.sessions.get(userId);
    if (!record) return;
    record.connections.delete(connectionId);
    if (record.connections.size === 0) record.graceDeadline = graceDeadline;
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

  async moveToRoom(userId: string, room: string): Promise<RoomMove | null> {
    const record = this.sessions.get(userId);
    if (!record) return null;
    if (record.room === room) return { session: toSession(record) };
    const left = record.entered ? this.removeMember(record.room, record.id) : undefined;
    record.room = room;
    const joined = record.entered ? this.addMember(room, record) : undefined;
    return { session: toSession(record), left, joined };
  }

  async setStatus(userId: string, status: PresenceStatus) {
    const record = this.sessions.get(userId);
    if (!record) return null;
    record.status = status;
    const changed = record.entered ? this.addMember(record.room, record) : undefined;
    return { session: toSession(record), changed };
  }

  async roomSnapshot(room: string): Promise<{ version: number; members: Member[] }> {
    const record = this.room(room);
    return { version: record.version, members: [...record.members.values()] };
  }

  async appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage> {
    const record = this.room(message.room);
    const stored: ChatMessage = { id: ++record.lastMessageId, ...message };
    record.history.push(stored);
    if (record.history.length > HISTORY_LIMIT)
      record.history.splice(0, record.history.length - HISTORY_LIMIT);
    return stored;
  }

  async roomHistory(room: string, afterId?: number): Promise<ChatMessage[]> {
    const history = this.room(room).history;
    return afterId === undefined ? [...history] : history.filter((message) => message.id > afterId);
  }

  async occupancy(rooms: readonly string[]): Promise<number[]> {
    return rooms.map((room) => this.rooms.get(room)?.members.size ?? 0);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private end(record: SessionRecord): EndedSession {
    this.sessions.delete(record.id);
    this.names.delete(record.nameKey);
    this.tokens.delete(record.tokenDigest);
    const left = record.entered ? this.removeMember(record.room, record.id) : undefined;
    return { session: toSession(record), left };
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
    const member: Member = { id: session.id, name: session.name, status: session.status };
    record.members.set(member.id, member);
    return { room, version: ++record.version, member };
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
  return {
    id: record.id,
    name: record.name,
    room: record.room,
    status: record.status,
    entered: record.entered,
  };
}
