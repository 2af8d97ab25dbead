// The Redis Store's reach records and read positions (scripts: reach.lua.ts).
import type { ReachAttempt, ReachKind } from "@videochat/protocol";
import type { RedisScripts } from "../redis-client.js";
import { REACH_LIMIT, type ReachCheck, type ReachStore, type ReadState } from "./contract.js";
import * as lua from "./reach.lua.js";

export class RedisReach implements ReachStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  /** `ttlMs`: how long a user's attempts, and their read positions, outlive their last change. */
  constructor(
    private readonly scripts: RedisScripts<keyof typeof lua>,
    private readonly ttlMs: number,
  ) {}

  async checkReach(fromId: string, toId: string, kind: ReachKind, at: number): Promise<ReachCheck> {
    const args = [fromId, toId, kind, at, REACH_LIMIT, this.ttlMs] as const;
    return (await this.scripts.run<ReachCheck>("checkReach", ...args)) ?? { refused: false };
  }

  noteReach(fromId: string, toId: string, kind: ReachKind, at: number): Promise<ReachAttempt | null> {
    return this.scripts.run<ReachAttempt>("noteReach", fromId, toId, kind, at, REACH_LIMIT, this.ttlMs);
  }

  async reachAttempts(userId: string): Promise<ReachAttempt[]> {
    const replies = (await this.scripts.call("reachAttempts", userId)) as string[];
    return replies.map((json) => JSON.parse(json) as ReachAttempt);
  }

  async dismissReach(userId: string, fromId: string): Promise<boolean> {
    return (await this.scripts.call("dismissReach", userId, fromId)) === 1;
  }

  async markRead(userId: string, room: string, id: number): Promise<number | null> {
    const reply = await this.scripts.call("markRead", userId, room, id, this.ttlMs);
    return typeof reply === "number" ? reply : null;
  }

  async readState(userId: string, rooms: readonly string[], now: number): Promise<ReadState> {
    const reply = await this.scripts.call("readState", userId, this.ttlMs, now, ...rooms);
    const [positions, latest] = reply as [number[], number[]];
    const state: ReadState = { lastRead: {}, latest: {} };
    rooms.forEach((room, i) => {
      state.lastRead[room] = positions[i] ?? 0;
      state.latest[room] = latest[i] ?? 0;
    });
    return state;
  }

  async latestMessageIds(rooms: readonly string[]): Promise<number[]> {
    if (rooms.length === 0) return [];
    const ids = await this.scripts.redis.mget(...rooms.map((room) => this.scripts.key("room", room, "seq")));
    return ids.map((id) => Number(id ?? 0));
  }
}
