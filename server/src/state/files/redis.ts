// The Redis Store's pending file offers (scripts: files.lua.ts); Redis expires them itself.
import type { RedisScripts } from "../redis-client.js";
import type { FilesStore } from "./contract.js";
import * as lua from "./files.lua.js";

export class RedisFiles implements FilesStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

  async keepFileOffer(chatId: string, fileId: string, fromId: string, expiresAt: number): Promise<void> {
    await this.scripts.call("keepFileOffer", chatId, fileId, fromId, Math.ceil(expiresAt));
  }

  async takeFileOffer(chatId: string, fileId: string, byId: string | null, _now: number): Promise<boolean> {
    return (await this.scripts.call("takeFileOffer", chatId, fileId, byId ?? "")) === 1;
  }
}
