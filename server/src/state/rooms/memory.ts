// The memory Store's rooms: membership with its version, message history and occupancy. Every
// method runs without awaiting, so each is atomic like the Redis scripts.
import type { ChatMessage, GroupCall, Member } from "@videochat/protocol";
import { charge, type Budget } from "../memory-records.js";
import { changeIn, missedSince, quoteIn, type ChangeResult, type MessageChange } from "../message-change.js";
import type { Immediate } from "../methods.js";
import {
  HISTORY_LIMIT,
  type AddressLimit,
  type MembershipChange,
  type RoomView,
  type Session,
  type WindowLimit,
} from "../types.js";
import type { NewRoomMessage, PostCharge, PostResult, PostUse, RoomsStore } from "./contract.js";

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
  /** Room-message budgets per client address, all its sessions together. */
  private readonly addressBudgets = new Map<string, Budget>();

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

  /** The room's newest message id, 0 before its first (the reach part's unread counts read it). */
  latestMessageId(room: string): number {
    return this.rooms.get(room)?.lastMessageId ?? 0;
  }

  /** Seeds an empty room's id counter (its first message gets `id` + 1), as its first message would. */
  seedMessageId(room: string, id: number): void {
    const record = this.room(room);
    if (record.lastMessageId === 0) record.lastMessageId = id;
  }

  roomVersion(room: string): number {
    return this.rooms.get(room)?.version ?? 0;
  }

  appendRoomMessage(message: NewRoomMessage): ChatMessage {
    const record = this.room(message.room);
    // Seeded from the clock, as in Redis: ids keep increasing across a loss of the Store's data.
    if (record.lastMessageId === 0) record.lastMessageId = message.at;
    const { replyTo, ...rest } = message;
    const quote = quoteIn(record.history, replyTo);
    const stored: ChatMessage = { id: ++record.lastMessageId, ...rest, ...(quote ? { replyTo: quote } : {}) };
    record.history.push(stored);
    if (record.history.length > HISTORY_LIMIT)
      record.history.splice(0, record.history.length - HISTORY_LIMIT);
    return stored;
  }

  postRoomMessage(message: NewRoomMessage, fromAddress?: AddressLimit): PostResult {
    const waitMs = fromAddress
      ? charge(this.addressBudgets, fromAddress.address, fromAddress, message.at)
      : null;
    if (waitMs !== null) return { ok: false as const, code: "rate_limited" as const, retryAfterMs: waitMs };
    return { ok: true as const, message: this.appendRoomMessage(message) };
  }

  chargeRoomMessages(charges: readonly PostCharge[], limit: WindowLimit, now: number): PostUse[] {
    return charges.map(({ userId, count }) => {
      let budget = this.postBudgets.get(userId);
      if (!budget || budget.resetAt <= now) {
        budget = { used: 0, resetAt: now + limit.windowMs };
        this.postBudgets.set(userId, budget);
      }
      budget.used += count;
      return { used: budget.used, windowStart: budget.resetAt - limit.windowMs };
    });
  }

  roomHistory(room: string, afterId?: number): ChatMessage[] {
    return missedSince(this.room(room).history, afterId);
  }

  occupancy(rooms: readonly string[]): { count: number; version: number }[] {
    return rooms.map((room) => {
      const record = this.rooms.get(room);
      return { count: record?.members.size ?? 0, version: record?.version ?? 0 };
    });
  }

  changeRoomMessage(
    userId: string,
    id: number,
    change: MessageChange,
  ): ChangeResult<ChatMessage, "not_in_room"> {
    for (const record of this.rooms.values()) {
      const member = record.members.get(userId);
      if (member) return changeIn(record.history, { id: member.id, name: member.name }, id, change);
    }
    return { ok: false, code: "not_in_room" };
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
