// In-memory Store: the embedded default for one instance. It wires one part per feature (sessions,
// connections and instance runs, rooms, private chats, group calls) and hands each Store method to
// its part. Every part's methods run to completion without awaiting, so each Store method is atomic
// the way the Redis scripts are.
import type { MediaState, PresenceStatus, PrivateMessage, UserRef } from "../protocol.js";
import type { CallHolder } from "./group-store.js";
import { MemoryConnections } from "./memory-connections.js";
import { MemoryGroupCalls } from "./memory-group.js";
import { MemoryPrivateChats } from "./memory-private.js";
import type { SessionHost } from "./memory-records.js";
import { MemoryRooms } from "./memory-rooms.js";
import { MemorySessions } from "./memory-sessions.js";
import type { ClaimBudget, NewRoomMessage, SessionSnapshot, Store } from "./store.js";

type Limit = { points: number; windowMs: number };

export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  // The parts reach each other through closures, so the order of these fields only matters for
  // constructor arguments that are parts themselves.
  private readonly rooms = new MemoryRooms((room) => this.groups.of(room));
  private readonly sessions: MemorySessions = new MemorySessions(this.rooms, {
    closeChat: (chatId) => this.chats.close(chatId),
    leaveGroupCall: (record) => this.groups.leave(record),
  });
  private readonly connections = new MemoryConnections(this.sessions, this.rooms);
  private readonly host: SessionHost = {
    session: (id) => this.sessions.record(id),
    refresh: (session) => this.rooms.refreshMember(session),
    connected: (id, connection) => !!this.sessions.record(id)?.connections.has(connection),
  };
  private readonly chats = new MemoryPrivateChats(this.host);
  private readonly groups = new MemoryGroupCalls(this.host);

  // Sessions (memory-sessions.ts).
  async createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ) {
    return this.sessions.create(input, budget);
  }
  async findSessionIdByToken(token: string) {
    return this.sessions.byToken(token)?.id ?? null;
  }
  async getSession(userId: string) {
    return this.sessions.get(userId);
  }
  async setStatus(userId: string, status: PresenceStatus) {
    return this.sessions.setStatus(userId, status);
  }
  async moveToRoom(userId: string, room: string) {
    return this.sessions.moveToRoom(userId, room);
  }
  async takeExpiredSessions(now: number, limit: number) {
    return this.sessions.takeExpired(now, limit);
  }
  async endSession(userId: string) {
    return this.sessions.endSession(userId);
  }
  async leaveSession(userId: string, limit: Limit, now: number) {
    return this.sessions.leave(userId, limit, now);
  }

  // Connections and instance runs (memory-connections.ts).
  async connect(token: string, connectionId: string, maxConnections: number) {
    return this.connections.connect(token, connectionId, maxConnections);
  }
  async attachConnection(userId: string, connectionId: string, maxConnections: number) {
    const record = this.sessions.record(userId);
    if (!record) return { ok: false as const, code: "session_unknown" as const };
    return this.connections.attach(record, connectionId, maxConnections);
  }
  async restoreSession(snapshot: SessionSnapshot, connectionId: string, maxConnections: number) {
    return this.connections.restore(snapshot, connectionId, maxConnections);
  }
  async renewGrace(userId: string, graceDeadline: number) {
    return this.connections.renewGrace(userId, graceDeadline);
  }
  async detachConnection(userId: string, connectionId: string, graceDeadline: number) {
    return this.connections.detach(userId, connectionId, graceDeadline);
  }
  async setConnectionIdle(userId: string, connectionId: string, idle: boolean) {
    return this.connections.setIdle(userId, connectionId, idle);
  }
  async heartbeat(key: string, now: number, graceMs: number) {
    return this.connections.heartbeat(key, now, graceMs);
  }
  async takeOverDeadInstances(now: number, ttlMs: number, graceMs: number) {
    return this.connections.takeOverDead(now, ttlMs, graceMs);
  }
  async retireInstance(key: string) {
    this.connections.retire(key);
  }

  // Rooms (memory-rooms.ts).
  async roomSnapshot(room: string) {
    return this.rooms.snapshot(room);
  }
  async roomVersion(room: string) {
    return this.rooms.version(room);
  }
  async appendRoomMessage(message: NewRoomMessage) {
    return this.rooms.append(message);
  }
  async postRoomMessage(message: NewRoomMessage, limit: Limit) {
    return this.rooms.post(message, limit);
  }
  async roomHistory(room: string, afterId?: number) {
    return this.rooms.history(room, afterId);
  }
  async occupancy(rooms: readonly string[]) {
    return this.rooms.occupancy(rooms);
  }

  // Private chats and their 1:1 calls (memory-private.ts).
  async openPrivateChat(userId: string, partnerId: string) {
    return this.chats.open(userId, partnerId);
  }
  async getPrivateChat(chatId: string) {
    return this.chats.get(chatId);
  }
  async closePrivateChat(chatId: string) {
    return this.chats.close(chatId) ?? null;
  }
  async appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ) {
    return this.chats.append(chatId, message);
  }
  async postPrivateMessage(userId: string, message: { text: string; at: number }) {
    const session = this.sessions.get(userId);
    const chat = session?.chatId ? this.chats.get(session.chatId) : null;
    const stored =
      chat && this.chats.append(chat.id, { from: { id: userId, name: session!.name }, ...message });
    return chat && stored ? { chat, message: stored } : null;
  }
  async privateHistory(chatId: string) {
    return this.chats.history(chatId);
  }
  async startCall(chatId: string, callerId: string, ringDeadline: number) {
    return this.chats.startCall(chatId, callerId, ringDeadline);
  }
  async takeMissedCalls(now: number, limit: number) {
    return this.chats.takeMissedCalls(now, limit);
  }
  async answerCall(chatId: string, calleeId: string, callId: string, accept: boolean) {
    return this.chats.answerCall(chatId, calleeId, callId, accept);
  }
  async endCall(chatId: string, callId: string, onlyIfRinging = false) {
    return this.chats.endCall(chatId, callId, onlyIfRinging);
  }
  async callPartner(userId: string, callId: string) {
    return this.chats.callPartner(userId, callId);
  }
  async holdCall(userId: string, callId: string, holder: CallHolder) {
    this.chats.holdCall(userId, callId, holder);
  }
  async keepCall(userId: string, holder: CallHolder) {
    return this.chats.keepCall(userId, holder);
  }

  // Group calls (memory-group.ts).
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
    const record = this.sessions.record(userId);
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
}
