// Redis Store: shared state for every instance. Multi-key changes run as Lua scripts (redis-scripts.ts);
// every key starts with the configured prefix so that deployments can share one Redis.
import type { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import type {
  CallInfo,
  ChatMessage,
  GroupCall,
  MediaState,
  Member,
  PresenceStatus,
  PrivateMessage,
  UserRef,
} from "../protocol.js";
import type {
  CallHolder,
  EndedInvite,
  InviteResult,
  JoinGroupCallResult,
  LeftGroupCall,
  MediaChange,
  StartGroupCallResult,
} from "./group-store.js";
import { scripts, withPrelude } from "./redis-scripts.js";
import {
  HISTORY_LIMIT,
  claimedSession,
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
import { newSessionId, newToken, sessionIdOf, tokenDigest } from "./tokens.js";

type ScriptName = keyof typeof scripts;
/** Commands get a prefix: a bare name like `setStatus` would shadow ioredis's own methods. */
type CommandName = `script_${ScriptName}`;
type ScriptClient = Redis & Record<CommandName, (...args: (string | number)[]) => Promise<unknown>>;

export class RedisStore implements Store {
  readonly kind = "redis" as const;
  private readonly redis: ScriptClient;

  /** Takes ownership of `redis` (closes it on close()). */
  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    for (const [name, body] of Object.entries(scripts)) {
      redis.defineCommand(`script_${name}`, { numberOfKeys: 0, lua: withPrelude(body) });
    }
    this.redis = redis as ScriptClient;
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  private async run<T>(name: ScriptName, ...args: (string | number)[]): Promise<T | null> {
    const reply = await this.call(name, ...args);
    return typeof reply === "string" ? (JSON.parse(reply) as T) : null;
  }

  private call(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return this.redis[`script_${name}`](this.prefix, ...args);
  }

  async createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ): Promise<CreateSessionResult> {
    const id = newSessionId();
    const token = newToken(id);
    const claimed = await this.call(
      "createSession",
      input.nameKey,
      id,
      input.name,
      input.room,
      tokenDigest(token),
      input.graceDeadline,
      ...(budget ? [budget.address, budget.points, budget.windowMs] : []),
    );
    if (Array.isArray(claimed))
      return { ok: false, code: "rate_limited", retryAfterMs: Math.max(1, Number(claimed[1])) };
    if (claimed !== 1) return { ok: false, code: "name_taken" };
    return {
      ok: true,
      token,
      session: claimedSession(id, input),
    };
  }

  async findSessionIdByToken(token: string): Promise<string | null> {
    const id = sessionIdOf(token);
    const digest = id && (await this.redis.hget(this.key("session", id), "tokenDigest"));
    return digest === tokenDigest(token) ? id : null;
  }

  async getSession(userId: string): Promise<Session | null> {
    const fields = [
      "name",
      "room",
      "status",
      "entered",
      "chatId",
      "nameKey",
      "roomSeq",
      "chosen",
      "groupCallId",
    ] as const;
    const [name, room, status, entered, chatId, nameKey, roomSeq, chosen, groupCallId] =
      await this.redis.hmget(this.key("session", userId), ...fields);
    if (!name || !room || !status) return null;
    const session: Session = {
      id: userId,
      name,
      room,
      status: status as PresenceStatus,
      chosen: (chosen ?? status) as PresenceStatus,
      entered: entered === "1",
      nameKey: nameKey ?? "",
      roomSeq: Number(roomSeq ?? 0),
    };
    return { ...session, ...(chatId ? { chatId } : {}), ...(groupCallId ? { groupCallId } : {}) };
  }

  async connect(token: string, connectionId: string, maxConnections: number): Promise<ConnectResult> {
    const [json, ...view] = (await this.call(
      "connect",
      sessionIdOf(token),
      tokenDigest(token),
      connectionId,
      maxConnections,
    )) as [string, ...ViewReply];
    const attached = JSON.parse(json) as ConnectResult;
    return attached.ok ? { ...attached, view: roomView(view) } : attached;
  }

  async attachConnection(
    userId: string,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal }> {
    return (await this.run<AttachResult | { ok: false; code: AttachRefusal }>(
      "attachConnection",
      userId,
      connectionId,
      maxConnections,
    ))!;
  }

  async restoreSession(
    snapshot: SessionSnapshot,
    connectionId: string,
    maxConnections: number,
  ): Promise<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }> {
    const { id, name, nameKey, tokenDigest: digest, room, roomSeq, status } = snapshot;
    return (await this.run<AttachResult | { ok: false; code: AttachRefusal | "name_taken" }>(
      "restoreSession",
      JSON.stringify({ id, name, nameKey, tokenDigest: digest, room, roomSeq, status }),
      connectionId,
      maxConnections,
    ))!;
  }

  async renewGrace(userId: string, graceDeadline: number): Promise<boolean> {
    // XX: only a session still in the grace set (no connection, not reaped); CH: 1 when it changed.
    return (await this.redis.zadd(this.key("grace"), "XX", "CH", graceDeadline, userId)) === 1;
  }

  async detachConnection(
    userId: string,
    connectionId: string,
    graceDeadline: number,
  ): Promise<{ changed?: MembershipChange }> {
    return (await this.run<{ changed?: MembershipChange }>(
      "detachConnection",
      userId,
      connectionId,
      graceDeadline,
    ))!;
  }

  setConnectionIdle(
    userId: string,
    connectionId: string,
    idle: boolean,
  ): Promise<{ session: Session; changed?: MembershipChange } | null> {
    return this.run("setConnectionIdle", userId, connectionId, idle ? "1" : "0");
  }

  async takeExpiredSessions(now: number, limit: number): Promise<EndedSession[]> {
    const replies = (await this.call("takeExpiredSessions", now, limit)) as string[];
    return replies.map((reply) => endedSession(JSON.parse(reply) as EndedSession));
  }

  async endSession(userId: string): Promise<EndedSession | null> {
    const ended = await this.run<EndedSession>("endSession", userId);
    return ended && endedSession(ended);
  }

  async leaveSession(
    userId: string,
    limit: { points: number; windowMs: number },
    _now: number,
  ): Promise<LeaveResult> {
    const reply = await this.call("leaveSession", userId, limit.points, limit.windowMs);
    if (Array.isArray(reply))
      return { ok: false, code: "rate_limited", retryAfterMs: Math.max(1, Number(reply[1])) };
    return {
      ok: true,
      ended: typeof reply === "string" ? endedSession(JSON.parse(reply) as EndedSession) : null,
    };
  }

  async moveToRoom(userId: string, room: string): Promise<RoomMove | null> {
    const reply = (await this.call("moveToRoom", userId, room)) as [string, ...ViewReply] | null;
    if (!reply) return null;
    const [json, ...view] = reply;
    const move = { ...(JSON.parse(json) as RoomMove), view: roomView(view) };
    if (move.closedChat) move.closedChat.changes = list(move.closedChat.changes);
    if (move.leftCall) move.leftCall = leftCall(move.leftCall);
    return move;
  }

  setStatus(
    userId: string,
    status: PresenceStatus,
  ): Promise<{ session: Session; changed?: MembershipChange } | null> {
    return this.run("setStatus", userId, status);
  }

  async roomSnapshot(room: string): Promise<{ version: number; members: Member[] }> {
    // MULTI so that the version and the members are read at one instant.
    const replies = await this.redis
      .multi()
      .get(this.key("room", room, "version"))
      .hvals(this.key("room", room, "members"))
      .exec();
    const [version, members] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    return {
      version: Number(version ?? 0),
      members: ((members as string[] | undefined) ?? []).map((json) => JSON.parse(json) as Member),
    };
  }

  async roomVersion(room: string): Promise<number> {
    return Number((await this.redis.get(this.key("room", room, "version"))) ?? 0);
  }

  async appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage> {
    const reply = await this.run<ChatMessage>(
      "appendRoomMessage",
      message.room,
      JSON.stringify(message),
      HISTORY_LIMIT,
      message.at,
    );
    if (!reply) throw new Error("appendRoomMessage returned nothing");
    return reply;
  }

  async postRoomMessage(
    message: NewRoomMessage,
    limit: { points: number; windowMs: number },
  ): Promise<PostResult> {
    const reply = await this.call(
      "postRoomMessage",
      message.room,
      JSON.stringify(message),
      HISTORY_LIMIT,
      message.at,
      message.from.id,
      limit.points,
      limit.windowMs,
    );
    if (typeof reply === "string") return { ok: true, message: JSON.parse(reply) as ChatMessage };
    const [code, wait] = reply as [string, number?];
    return code === "rate_limited"
      ? { ok: false, code, retryAfterMs: Math.max(1, Number(wait)) }
      : { ok: false, code: "not_in_room" };
  }

  async roomHistory(room: string, afterId?: number): Promise<ChatMessage[]> {
    const history = (await this.redis.lrange(this.key("room", room, "history"), 0, -1)).map(
      (json) => JSON.parse(json) as ChatMessage,
    );
    return afterId === undefined ? history : history.filter((message) => message.id > afterId);
  }

  async occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]> {
    // MULTI: each count is read at the same instant as its version.
    const multi = this.redis.multi();
    for (const room of rooms)
      multi.hlen(this.key("room", room, "members")).get(this.key("room", room, "version"));
    const replies = (await multi.exec()) ?? [];
    const values = replies.map(([error, value]) => {
      if (error) throw error;
      return Number(value ?? 0);
    });
    return rooms.map((_, i) => ({ count: values[2 * i] ?? 0, version: values[2 * i + 1] ?? 0 }));
  }

  async openPrivateChat(userId: string, partnerId: string): Promise<OpenPrivateChatResult> {
    const result = (await this.run<OpenPrivateChatResult>(
      "openPrivateChat",
      userId,
      partnerId,
      randomUUID(),
    ))!;
    return result.ok ? { ...result, changes: list(result.changes) } : result;
  }

  getPrivateChat(chatId: string): Promise<PrivateChatRecord | null> {
    return this.run<PrivateChatRecord>("getPrivateChat", chatId);
  }

  async closePrivateChat(chatId: string): Promise<ClosedChat | null> {
    const result = await this.run<ClosedChat>("closePrivateChat", chatId);
    return result && { chat: result.chat, changes: list(result.changes) };
  }

  appendPrivateMessage(
    chatId: string,
    message: { from: UserRef; text: string; at: number; call?: PrivateMessage["call"] },
  ) {
    return this.run<PrivateMessage>(
      "appendPrivateMessage",
      chatId,
      JSON.stringify({ chatId, ...message }),
      HISTORY_LIMIT,
    );
  }

  async privateHistory(chatId: string): Promise<PrivateMessage[]> {
    const messages = await this.redis.lrange(this.key("chat", chatId, "messages"), 0, -1);
    return messages.map((json) => JSON.parse(json) as PrivateMessage);
  }

  async startCall(chatId: string, callerId: string, ringDeadline: number): Promise<StartCallResult> {
    return (await this.run<StartCallResult>("startCall", chatId, callerId, randomUUID(), ringDeadline))!;
  }

  async takeMissedCalls(now: number, limit: number): Promise<MissedCall[]> {
    const replies = (await this.call("takeMissedCalls", now, limit)) as string[];
    return replies.map((reply) => JSON.parse(reply) as MissedCall);
  }

  answerCall(chatId: string, calleeId: string, callId: string, accept: boolean): Promise<CallInfo | null> {
    return this.run<CallInfo>("answerCall", chatId, calleeId, callId, accept ? "1" : "0");
  }

  async endCall(chatId: string, callId: string, onlyIfRinging = false): Promise<boolean> {
    return (await this.call("endCall", chatId, callId, onlyIfRinging ? "1" : "0")) === 1;
  }

  async callPartner(userId: string, callId: string): Promise<string | null> {
    const partner = await this.call("callPartner", userId, callId);
    return typeof partner === "string" ? partner : null;
  }

  async holdCall(userId: string, callId: string, holder: CallHolder): Promise<void> {
    await this.call("holdCall", userId, callId, holder.page, holder.connection);
  }

  keepCall(userId: string, holder: CallHolder): Promise<EndedCall | null> {
    return this.run<EndedCall>("keepCall", userId, holder.page, holder.connection);
  }

  async heartbeat(instanceKey: string, now: number, graceMs: number): Promise<HeartbeatResult> {
    const beat = (await this.run<HeartbeatResult>("heartbeat", instanceKey, now, graceMs))!;
    return { added: beat.added, predecessors: list(beat.predecessors), changes: list(beat.changes) };
  }

  async takeOverDeadInstances(now: number, ttlMs: number, graceMs: number): Promise<TakeOverResult> {
    const taken = (await this.run<TakeOverResult>("takeOverDeadInstances", now, ttlMs, graceMs))!;
    return { instances: list(taken.instances), changes: list(taken.changes) };
  }

  async retireInstance(instanceId: string): Promise<void> {
    await this.call("retireInstance", instanceId);
  }

  async startGroupCall(
    userId: string,
    callId: string,
    max: number,
    holder: CallHolder,
  ): Promise<StartGroupCallResult> {
    const { page, connection } = holder;
    const started = (await this.run<StartGroupCallResult>(
      "startGroupCall",
      userId,
      callId,
      max,
      page,
      connection,
    ))!;
    return started.ok
      ? { ...started, call: groupCall(started.call), changes: list(started.changes) }
      : started;
  }

  async joinGroupCall(userId: string, callId: string, holder: CallHolder): Promise<JoinGroupCallResult> {
    const { page, connection } = holder;
    const joined = (await this.run<JoinGroupCallResult>("joinGroupCall", userId, callId, page, connection))!;
    return joined.ok ? { ...joined, call: groupCall(joined.call), changes: list(joined.changes) } : joined;
  }

  async keepGroupCall(userId: string, holder: CallHolder): Promise<LeftGroupCall | null> {
    const left = await this.run<LeftGroupCall>("keepGroupCall", userId, holder.page, holder.connection);
    return left && leftCall(left);
  }

  async takeLostHolders(now: number, graceMs: number, rooms: string[]): Promise<LeftGroupCall[]> {
    const replies = (await this.call("takeLostHolders", now, graceMs, ...rooms)) as string[];
    return replies.map((reply) => leftCall(JSON.parse(reply) as LeftGroupCall));
  }

  async setGroupCallMedia(userId: string, media: MediaState): Promise<MediaChange | null> {
    const { audio, video, screen } = media;
    const told = await this.run<MediaChange>(
      "setGroupCallMedia",
      userId,
      JSON.stringify({ audio, video, screen }),
    );
    return told && { ...told, others: list(told.others) };
  }

  async leaveGroupCall(userId: string): Promise<LeftGroupCall | null> {
    const left = await this.run<LeftGroupCall>("leaveGroupCall", userId);
    return left && leftCall(left);
  }

  async inviteToGroupCall(inviterId: string, inviteeId: string, deadline: number): Promise<InviteResult> {
    const invited = (await this.run<InviteResult>("inviteToGroupCall", inviterId, inviteeId, deadline))!;
    return invited.ok ? { ...invited, call: groupCall(invited.call) } : invited;
  }

  declineGroupInvite(inviteeId: string, callId: string): Promise<EndedInvite | null> {
    return this.run<EndedInvite>("declineGroupInvite", inviteeId, callId);
  }

  async takeMissedInvites(now: number, limit: number): Promise<EndedInvite[]> {
    const replies = (await this.call("takeMissedInvites", now, limit)) as string[];
    return replies.map((reply) => JSON.parse(reply) as EndedInvite);
  }

  async groupCallPeers(userId: string, callId: string, peerId: string): Promise<boolean> {
    return (await this.call("groupCallPeers", userId, callId, peerId)) === 1;
  }

  async groupCallOf(room: string): Promise<GroupCall | null> {
    const call = await this.run<GroupCall>("groupCallOf", room);
    return call && groupCall(call);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** What the Lua `room_view` returns: version, member JSONs, history JSONs, group call JSON or nil. */
type ViewReply = [number, string[], string[], string | null];

const roomView = ([version, members, history, call]: ViewReply): RoomView => ({
  version: Number(version),
  members: members.map((member) => JSON.parse(member) as Member),
  history: history.map((message) => JSON.parse(message) as ChatMessage),
  groupCall: call ? groupCall(JSON.parse(call) as GroupCall) : null,
});

/** A call's participants come back as `{}` from cjson when the list is empty. */
// cjson writes an empty table as {}: right for the media map, wrong for the list.
const groupCall = (call: GroupCall): GroupCall => ({ ...call, participants: list(call.participants) });

const leftCall = (left: LeftGroupCall): LeftGroupCall => {
  const { call, ...rest } = left;
  return { ...rest, changes: list(left.changes), ...(call ? { call: groupCall(call) } : {}) };
};

const endedSession = (ended: EndedSession): EndedSession => ({
  ...ended,
  connections: list(ended.connections),
  ...(ended.leftCall ? { leftCall: leftCall(ended.leftCall) } : {}),
});

/** cjson encodes an empty Lua table as `{}`; lists come back as arrays either way. */
function list<T>(value: T[] | Record<string, never> | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
