// The Redis Store's TURN credential holders per address (scripts: relays.lua.ts).
import type { RedisScripts } from "../redis-client.js";
import type { RelaysStore } from "./contract.js";
import * as lua from "./relays.lua.js";

export class RedisRelays implements RelaysStore {
  /** The Lua scripts this part runs, registered by name on the shared connection. */
  static readonly lua = lua;

  constructor(private readonly scripts: RedisScripts<keyof typeof lua>) {}

  async holdRelay(
    address: string,
    userId: string,
    until: number,
    max: number,
    now: number,
  ): Promise<number | null> {
    const wait = Number(await this.scripts.call("holdRelay", address, userId, Math.ceil(until), max, now));
    return wait > 0 ? wait : null;
  }
}
