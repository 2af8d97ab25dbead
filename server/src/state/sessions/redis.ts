// The Redis Store's sessions: name claims, tokens, status, room moves and the end of a session.
import type { PresenceStatus } from "@videochat/protocol";
import { type RedisScripts, type ViewReply, chargeArgs, roomView, leftCall, list } from "../redis-client.js";
import { newSessionId, newToken, sessionIdOf, tokenDigest } from "../tokens.js";
import type { PresenceResult, Session, StepCharge } from "../types.js";
import {
  type ClaimBudget,
  claimedSession,
  type CreateSessionResult,
  type EndedSession,
  type LeaveResult,
  type RoomMove,
  type SessionsStore,
} from "./contract.js";
import * as lua from "./sessions.lua.js";

/** An ended session with its lists made arrays again. */
const endedSession = (ended: EndedSession): EndedSession => ({
  ...ended,
  connections: list(ended.connections),
  ...(ended.leftCall ? { leftCall: leftCall(ended.leftCall) } : {}),
  ...(ended.closedChat
    ? { closedChat: { ...ended.closedChat, changes: list(ended.closedChat.changes) } }
    : {}),
});

export class RedisSessions implements SessionsStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

  async createSession(
    input: { name: string; nameKey: string; room: string; graceDeadline: number },
    budget?: ClaimBudget,
  ): Promise<CreateSessionResult> {
    const id = newSessionId();
    const token = newToken(id);
    const claimed = await this.scripts.call(
      "createSession",
      input.nameKey,
      id,
      input.name,
      input.room,
      tokenDigest(token),
      input.graceDeadline,
      ...(budget ? [budget.address, budget.points, budget.windowMs] : []),
      ...(budget?.sessions ? [budget.sessions.max, budget.sessions.crowdedAt] : []),
    );
    if (Array.isArray(claimed) && claimed[0] === "too_many_sessions")
      return { ok: false, code: "too_many_sessions" };
    const session = claimedSession(id, input);
    if (Array.isArray(claimed) && claimed[0] === "crowded")
      return {
        ok: true,
        token,
        session: { ...session, crowded: true },
        crowdedNow: claimed.slice(1).map(String),
      };
    if (Array.isArray(claimed))
      return { ok: false, code: "rate_limited", retryAfterMs: Math.max(1, Number(claimed[1])) };
    if (claimed !== 1 && claimed !== 2) return { ok: false, code: "name_taken" };
    return { ok: true, token, session: claimed === 2 ? { ...session, crowded: true } : session };
  }

  async findSessionIdByToken(token: string): Promise<string | null> {
    const id = sessionIdOf(token);
    const digest = id && (await this.scripts.redis.hget(this.scripts.key("session", id), "tokenDigest"));
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
      "crowded",
    ] as const;
    const [name, room, status, entered, chatId, nameKey, roomSeq, chosen, groupCallId, crowded] =
      await this.scripts.redis.hmget(this.scripts.key("session", userId), ...fields);
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
    return {
      ...session,
      ...(chatId ? { chatId } : {}),
      ...(groupCallId ? { groupCallId } : {}),
      ...(crowded === "1" ? { crowded: true as const } : {}),
    };
  }

  setStatus(
    userId: string,
    status: PresenceStatus,
    charge?: StepCharge,
    activeTab?: boolean,
  ): Promise<PresenceResult | null> {
    return this.scripts.run("setStatus", userId, status, activeTab ? "1" : "0", ...chargeArgs(charge));
  }

  async moveToRoom(userId: string, room: string): Promise<RoomMove | null> {
    const reply = (await this.scripts.call("moveToRoom", userId, room)) as [string, ...ViewReply] | null;
    if (!reply) return null;
    const [json, ...view] = reply;
    const move = { ...(JSON.parse(json) as RoomMove), view: roomView(view) };
    if (move.closedChat) move.closedChat.changes = list(move.closedChat.changes);
    if (move.leftCall) move.leftCall = leftCall(move.leftCall);
    return move;
  }

  async takeExpiredSessions(now: number, limit: number): Promise<EndedSession[]> {
    const replies = (await this.scripts.call("takeExpiredSessions", now, limit)) as string[];
    return replies.map((reply) => endedSession(JSON.parse(reply) as EndedSession));
  }

  async endSession(userId: string): Promise<EndedSession | null> {
    const ended = await this.scripts.run<EndedSession>("endSession", userId);
    return ended && endedSession(ended);
  }

  async leaveSession(
    userId: string,
    limit: { points: number; windowMs: number },
    _now: number,
  ): Promise<LeaveResult> {
    const reply = await this.scripts.call("leaveSession", userId, limit.points, limit.windowMs);
    if (Array.isArray(reply))
      return { ok: false, code: "rate_limited", retryAfterMs: Math.max(1, Number(reply[1])) };
    return {
      ok: true,
      ended: typeof reply === "string" ? endedSession(JSON.parse(reply) as EndedSession) : null,
    };
  }
}
