// The Redis Store's rooms: membership snapshots, message history and occupancy.
import type { ChatMessage, Member } from "../../protocol.js";
import type { RedisScripts } from "../redis-client.js";
import { HISTORY_LIMIT } from "../types.js";
import type { NewRoomMessage, PostResult, RoomsStore } from "./contract.js";
import * as lua from "./rooms.lua.js";

export class RedisRooms implements RoomsStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

  async roomSnapshot(room: string): Promise<{ version: number; members: Member[] }> {
    // MULTI so that the version and the members are read at one instant.
    const replies = await this.scripts.redis
      .multi()
      .get(this.scripts.key("room", room, "version"))
      .hvals(this.scripts.key("room", room, "members"))
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
    return Number((await this.scripts.redis.get(this.scripts.key("room", room, "version"))) ?? 0);
  }

  async appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage> {
    const reply = await this.scripts.run<ChatMessage>(
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
    const reply = await this.scripts.call(
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
    const history = (await this.scripts.redis.lrange(this.scripts.key("room", room, "history"), 0, -1)).map(
      (json) => JSON.parse(json) as ChatMessage,
    );
    return afterId === undefined ? history : history.filter((message) => message.id > afterId);
  }

  async occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]> {
    // MULTI: each count is read at the same instant as its version.
    const multi = this.scripts.redis.multi();
    for (const room of rooms)
      multi.hlen(this.scripts.key("room", room, "members")).get(this.scripts.key("room", room, "version"));
    const replies = (await multi.exec()) ?? [];
    const values = replies.map(([error, value]) => {
      if (error) throw error;
      return Number(value ?? 0);
    });
    return rooms.map((_, i) => ({ count: values[2 * i] ?? 0, version: values[2 * i + 1] ?? 0 }));
  }
}
