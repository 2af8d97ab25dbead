// The memory Store's rooms: membership with its version, message history and occupancy. Every
// method runs without awaiting, so each is atomic like the Redis scripts.
import type { ChatMessage, GroupCall, Member } from "../../protocol.js";
import { charge, type Budget } from "../memory-records.js";
import type { Immediate } from "../methods.js";
import { HISTORY_LIMIT, type MembershipChange, type RoomView, type Session } from "../types.js";
import type { NewRoomMessage, PostResult, RoomsStore } from "./contract.js";

interface RoomRecord {
  version: number;
  lastMessageId: number;
  members: Map<string, Member>;
  history: ChatMessage[];
}

export class MemoryRooms implements Immediate<RoomsStore> {
  private readonly rooms = new Map<string, RoomRecord>();
  /** Room-message budgets per user: fixed windows, as in Redis. */
  private readonly postBudgets = new Map<string, Budget>();

  /** `groupCallOf` names the room's group call, which a view carries. */
  constructor(private readonly groupCallOf: (room: string) => GroupCall | null) {}

  /** The room as a connection enters it (see RoomView). */
  view(room: string): RoomView {
    const record = this.room(room);
    const members = [...record.members.values()];
    return {
      version: record.version,
      members,
      history: [...record.history],
      groupCall: this.groupCallOf(room),
    };
  }

  roomSnapshot(room: string): { version: number; members: Member[] } {
    const record = this.room(room);
    return { version: record.version, members: [...record.members.values()] };
  }

  roomVersion(room: string): number {
    return this.rooms.get(room)?.version ?? 0;
  }

  appendRoomMessage(message: NewRoomMessage): ChatMessage {
    const record = this.room(message.room);
    // Seeded from the clock, as in Redis: ids keep increasing across a loss of the Store's data.
    if (record.lastMessageId === 0) record.lastMessageId = message.at;
    const stored: ChatMessage = { id: ++record.lastMessageId, ...message };
    record.history.push(stored);
    if (record.history.length > HISTORY_LIMIT)
      record.history.splice(0, record.history.length - HISTORY_LIMIT);
    return stored;
  }

  postRoomMessage(message: NewRoomMessage, limit: { points: number; windowMs: number }): PostResult {
    if (!this.room(message.room).members.has(message.from.id))
      return { ok: false as const, code: "not_in_room" as const };
    const waitMs = charge(this.postBudgets, message.from.id, limit, message.at);
    if (waitMs !== null) return { ok: false as const, code: "rate_limited" as const, retryAfterMs: waitMs };
    return { ok: true as const, message: this.appendRoomMessage(message) };
  }

  roomHistory(room: string, afterId?: number): ChatMessage[] {
    const history = this.room(room).history;
    return afterId === undefined ? [...history] : history.filter((message) => message.id > afterId);
  }

  occupancy(rooms: readonly string[]): { count: number; version: number }[] {
    return rooms.map((room) => {
      const record = this.rooms.get(room);
      return { count: record?.members.size ?? 0, version: record?.version ?? 0 };
    });
  }

  /** Adds or refreshes a member and bumps the room's membership version. */
  addMember(room: string, session: Session): MembershipChange {
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
  refreshMember(session: Session): MembershipChange[] {
    return session.entered && this.room(session.room).members.has(session.id)
      ? [this.addMember(session.room, session)]
      : [];
  }

  removeMember(room: string, userId: string): MembershipChange | undefined {
    const record = this.room(room);
    const member = record.members.get(userId);
    if (!member) return undefined;
    record.members.delete(userId);
    return { room, version: ++record.version, member };
  }

  private room(name: string): RoomRecord {
    let record = this.rooms.get(name);
    if (!record) {
      record = { version: 0, lastMessageId: 0, members: new Map(), history: [] };
      this.rooms.set(name, record);
    }
    return record;
  }
}
