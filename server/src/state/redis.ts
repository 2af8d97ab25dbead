// Redis Store: shared state for every instance. Multi-key changes run as Lua scripts (redis-scripts.ts);
// every key starts with the configured prefix so that deployments can share one Redis. It wires one part
// per feature over one connection (redis-client.ts) and hands each Store method to its part.
import type { Redis } from "ioredis";
import type { MediaState, PresenceStatus, PrivateMessage, UserRef } from "../protocol.js";
import type { CallHolder } from "./group-store.js";
import type { ClaimBudget, NewRoomMessage, SessionSnapshot, Store } from "./store.js";
import { RedisScripts } from "./redis-client.js";
import { RedisSessions } from "./redis-sessions.js";
import { RedisConnections } from "./redis-connections.js";
import { RedisRooms } from "./redis-rooms.js";
import { RedisPrivateChats } from "./redis-private.js";
import { RedisGroupCalls } from "./redis-group.js";

export class RedisStore implements Store {
  readonly kind = "redis" as const;
  private readonly scripts: RedisScripts;
  private readonly sessions: RedisSessions;
  private readonly connections: RedisConnections;
  private readonly rooms: RedisRooms;
  private readonly chats: RedisPrivateChats;
  private readonly groups: RedisGroupCalls;

  /** Takes ownership of `redis` (closes it on close()). */
  constructor(redis: Redis, prefix: string) {
    this.scripts = new RedisScripts(redis, prefix);
    this.sessions = new RedisSessions(this.scripts);
    this.connections = new RedisConnections(this.scripts);
    this.rooms = new RedisRooms(this.scripts);
    this.chats = new RedisPrivateChats(this.scripts);
    this.groups = new RedisGroupCalls(this.scripts);
  }

  // Sessions (redis-sessions.ts).
  createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ) {
    return this.sessions.createSession(input, budget);
  }
  findSessionIdByToken(token: string) {
    return this.sessions.findSessionIdByToken(token);
  }
  getSession(userId: string) {
    return this.sessions.getSession(userId);
  }
  setStatus(userId: string, status: PresenceStatus) {
    return this.sessions.setStatus(userId, status);
  }
  moveToRoom(userId: string, room: string) {
    return this.sessions.moveToRoom(userId, room);
  }
  takeExpiredSessions(now: number, limit: number) {
    return this.sessions.takeExpiredSessions(now, limit);
  }
  endSession(userId: string) {
    return this.sessions.endSession(userId);
  }
  leaveSession(userId: string, limit: { points: number; windowMs: number }, _now: number) {
    return this.sessions.leaveSession(userId, limit, _now);
  }
  renewGrace(userId: string, graceDeadline: number) {
    return this.sessions.renewGrace(userId, graceDeadline);
  }

  // Connections and instance runs (redis-connections.ts).
  connect(token: string, connectionId: string, maxConnections: number) {
    return this.connections.connect(token, connectionId, maxConnections);
  }
  attachConnection(userId: string, connectionId: string, maxConnections: number) {
    return this.connections.attachConnection(userId, connectionId, maxConnections);
  }
  restoreSession(snapshot: SessionSnapshot, connectionId: string, maxConnections: number) {
    return this.connections.restoreSession(snapshot, connectionId, maxConnections);
  }
  detachConnection(userId: string, connectionId: string, graceDeadline: number) {
    return this.connections.detachConnection(userId, connectionId, graceDeadline);
  }
  setConnectionIdle(userId: string, connectionId: string, idle: boolean) {
    return this.connections.setConnectionIdle(userId, connectionId, idle);
  }
  heartbeat(instanceKey: string, now: number, graceMs: number) {
    return this.connections.heartbeat(instanceKey, now, graceMs);
  }
  takeOverDeadInstances(now: number, ttlMs: number, graceMs: number) {
    return this.connections.takeOverDeadInstances(now, ttlMs, graceMs);
  }
  retireInstance(instanceId: string) {
    return this.connections.retireInstance(instanceId);
  }

  // Rooms (redis-rooms.ts).
  roomSnapshot(room: string) {
    return this.rooms.roomSnapshot(room);
  }
  roomVersion(room: string) {
    return this.rooms.roomVersion(room);
  }
  appendRoomMessage(message: NewRoomMessage) {
    return this.rooms.appendRoomMessage(message);
  }
  postRoomMessage(message: NewRoomMessage, limit: { points: number; windowMs: number }) {
    return this.rooms.postRoomMessage(message, limit);
  }
  roomHistory(room: string, afterId?: number) {
    return this.rooms.roomHistory(room, afterId);
  }
  occupancy(rooms: readonly string[]) {
    return this.rooms.occupancy(rooms);
  }

  // Private chats and their 1:1 calls (redis-private.ts).
  openPrivateChat(userId: string, partnerId: string) {
    return this.chats.openPrivateChat(userId, partnerId);
  }
  getPrivateChat(chatId: string) {
    return this.chats.getPrivateChat(chatId);
  }
  closePrivateChat(chatId: string) {
    return this.chats.closePrivateChat(chatId);
  }
  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ) {
    return this.chats.appendPrivateMessage(chatId, message);
  }
  postPrivateMessage(userId: string, message: { text: string; at: number }) {
    return this.chats.postPrivateMessage(userId, message);
  }
  privateHistory(chatId: string) {
    return this.chats.privateHistory(chatId);
  }
  startCall(chatId: string, callerId: string, ringDeadline: number) {
    return this.chats.startCall(chatId, callerId, ringDeadline);
  }
  takeMissedCalls(now: number, limit: number) {
    return this.chats.takeMissedCalls(now, limit);
  }
  answerCall(chatId: string, calleeId: string, callId: string, accept: boolean) {
    return this.chats.answerCall(chatId, calleeId, callId, accept);
  }
  endCall(chatId: string, callId: string, onlyIfRinging = false) {
    return this.chats.endCall(chatId, callId, onlyIfRinging);
  }
  callPartner(userId: string, callId: string) {
    return this.chats.callPartner(userId, callId);
  }
  holdCall(userId: string, callId: string, holder: CallHolder) {
    return this.chats.holdCall(userId, callId, holder);
  }
  keepCall(userId: string, holder: CallHolder) {
    return this.chats.keepCall(userId, holder);
  }

  // Group calls (redis-group.ts).
  startGroupCall(userId: string, callId: string, max: number, holder: CallHolder) {
    return this.groups.startGroupCall(userId, callId, max, holder);
  }
  joinGroupCall(userId: string, callId: string, holder: CallHolder) {
    return this.groups.joinGroupCall(userId, callId, holder);
  }
  keepGroupCall(userId: string, holder: CallHolder) {
    return this.groups.keepGroupCall(userId, holder);
  }
  takeLostHolders(now: number, graceMs: number, rooms: string[]) {
    return this.groups.takeLostHolders(now, graceMs, rooms);
  }
  setGroupCallMedia(userId: string, media: MediaState) {
    return this.groups.setGroupCallMedia(userId, media);
  }
  leaveGroupCall(userId: string) {
    return this.groups.leaveGroupCall(userId);
  }
  inviteToGroupCall(inviterId: string, inviteeId: string, deadline: number) {
    return this.groups.inviteToGroupCall(inviterId, inviteeId, deadline);
  }
  declineGroupInvite(inviteeId: string, callId: string) {
    return this.groups.declineGroupInvite(inviteeId, callId);
  }
  takeMissedInvites(now: number, limit: number) {
    return this.groups.takeMissedInvites(now, limit);
  }
  groupCallPeers(userId: string, callId: string, peerId: string) {
    return this.groups.groupCallPeers(userId, callId, peerId);
  }
  groupCallOf(room: string) {
    return this.groups.groupCallOf(room);
  }

  ping() {
    return this.scripts.ping();
  }

  close() {
    return this.scripts.close();
  }
}
