// The Redis Store's rooms: membership snapshots, message history and occupancy.
import type { ChatMessage, Member } from "@videochat/protocol";
import type { RedisScripts } from "../redis-client.js";
import { HISTORY_LIMIT, type AddressLimit, type WindowLimit } from "../types.js";
import { changeArgs, changeReply } from "../message-change-redis.js";
import type { NewRoomMessage, PostCharge, PostResult, PostUse, RoomsStore } from "./contract.js";
import { missedSince, type ChangeResult, type MessageChange } from "../message-change.js";
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
      // Beside each entry the hash keeps the member's message budget (a number; post_field in the prelude).
      members: ((members as string[] | undefined) ?? [])
        .filter((value) => value.startsWith("{"))
        .map((json) => JSON.parse(json) as Member),
    };
  }

  async roomVersion(room: string): Promise<number> {
    return Number((await this.scripts.redis.get(this.scripts.key("room", room, "version"))) ?? 0);
  }

  async appendRoomMessage(message: NewRoomMessage): Promise<ChatMessage> {
    const posted = await this.postRoomMessage(message);
    if (!posted.ok) throw new Error("appendRoomMessage was refused");
    return posted.message;
  }

  async postRoomMessage(message: NewRoomMessage, fromAddress?: AddressLimit): Promise<PostResult> {
    const { replyTo, ...kept } = message;
    const reply = await this.scripts.call(
      "postRoomMessage",
      message.room,
      JSON.stringify(kept),
      HISTORY_LIMIT,
      message.at,
      replyTo ?? "",
      fromAddress?.address ?? "",
      fromAddress?.points ?? 0,
      fromAddress?.windowMs ?? 0,
    );
    if (typeof reply === "string") return { ok: true, message: JSON.parse(reply) as ChatMessage };
    if (!Array.isArray(reply)) throw new Error("postRoomMessage returned nothing");
    return { ok: false, code: "rate_limited", retryAfterMs: Math.max(1, Number(reply[1])) };
  }

  async chargeRoomMessages(
    charges: readonly PostCharge[],
    limit: WindowLimit,
    now: number,
  ): Promise<PostUse[]> {
    if (charges.length === 0) return [];
    const pairs = charges.flatMap(({ userId, count }) => [userId, count]);
    const reply = (
      (await this.scripts.call("chargeRoomMessages", limit.windowMs, now, ...pairs)) as number[]
    ).map(Number);
    return charges.map((_, i) => ({ used: reply[2 * i] ?? 0, windowStart: now - (reply[2 * i + 1] ?? 0) }));
  }

  async roomHistory(room: string, afterId?: number): Promise<ChatMessage[]> {
    const history = // The list may hold up to twice the limit (append_room_message trims it in batches).
      (await this.scripts.redis.lrange(this.scripts.key("room", room, "history"), -HISTORY_LIMIT, -1)).map(
        (json) => JSON.parse(json) as ChatMessage,
      );
    return missedSince(history, afterId);
  }

  async changeRoomMessage(
    userId: string,
    id: number,
    change: MessageChange,
  ): Promise<ChangeResult<ChatMessage, "not_in_room">> {
    return changeReply<ChatMessage, "not_in_room">(
      await this.scripts.call("changeRoomMessage", userId, ...changeArgs(id, change)),
    );
  }

  async occupancy(rooms: readonly string[]): Promise<{ count: number; version: number }[]> {
    if (rooms.length === 0) return [];
    // One script: each count is read at the same instant as its version.
    const values = ((await this.scripts.call("occupancy", ...rooms)) as number[]).map(Number);
    // Two fields per member: the entry and the message budget (post_field in the prelude).
    return rooms.map((_, i) => ({
      count: Math.ceil((values[2 * i] ?? 0) / 2),
      version: values[2 * i + 1] ?? 0,
    }));
  }
}
