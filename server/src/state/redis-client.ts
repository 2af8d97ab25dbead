// The Redis Store's connection: every feature's Lua scripts (state/<feature>/*.lua.ts, each with the
// shared prelude) defined as commands, the prefixed keys, and the decoding of what cjson answers.
import type { Redis } from "ioredis";
import type { ChatMessage, GroupCall, Member } from "@videochat/protocol";
import { prelude } from "./prelude.lua.js";
import { shaken } from "./shake.js";
import type { CallPresence, DepartedCall, LeftGroupCall, RoomView, StepCharge } from "./types.js";

/** Commands get a prefix: a bare name like `setStatus` would shadow ioredis's own methods. */
type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;
type ScriptClient = Redis & Record<`script_${string}`, ScriptCommand | undefined>;

/**
 * The one connection every part of the Redis Store shares, with the scripts defined on it. A part sees
 * it as `RedisScripts<its script names>`, so it can only run the scripts it brought.
 */
export class RedisScripts<Name extends string = string> {
  readonly redis: ScriptClient;

  /**
   * Takes ownership of `redis` (closes it on close()). `scripts` maps each script's name to its Lua
   * body; the prelude is put before each. Throws when two features bring a script of the same name.
   */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    scripts: readonly Readonly<Record<string, string>>[],
  ) {
    const defined = new Set<string>();
    for (const [name, body] of scripts.flatMap((set) => Object.entries(set))) {
      if (defined.has(name)) throw new Error(`Lua script ${name} is defined twice`);
      defined.add(name);
      // Only the prelude helpers the script uses (shake.ts): Redis runs a script's whole text per call.
      redis.defineCommand(`script_${name}`, { numberOfKeys: 0, lua: shaken(prelude, body) });
    }
    this.redis = redis as ScriptClient;
  }

  /** The key of `parts` under the configured prefix. */
  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** Runs a script that answers JSON or nil; the parsed reply, or null. */
  async run<T>(name: Name, ...args: (string | number)[]): Promise<T | null> {
    const reply = await this.call(name, ...args);
    return typeof reply === "string" ? (JSON.parse(reply) as T) : null;
  }

  /** Runs a script and hands back its raw reply. */
  call(name: Name, ...args: (string | number)[]): Promise<unknown> {
    // Every Name was defined in the constructor (the part's `lua`); the call keeps `this` on redis.
    return (this.redis[`script_${name}`] as ScriptCommand)(this.prefix, ...args);
  }

  /** Whether Redis answers a PING now. */
  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  /** Quits, or drops the connection when quitting fails. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** What the Lua `room_view` returns: version, member JSONs, history JSONs, group call JSON or nil. */
export type ViewReply = [number, string[], string[], string | null];

/** A room view from the Lua `room_view` reply. */
export const roomView = ([version, members, history, call]: ViewReply): RoomView => ({
  version: Number(version),
  members: members.map((member) => JSON.parse(member) as Member),
  history: history.map((message) => JSON.parse(message) as ChatMessage),
  groupCall: call ? groupCall(JSON.parse(call) as GroupCall) : null,
});

/** A call's participants come back as `{}` from cjson when the list is empty. */
// cjson writes an empty table as {}: right for the media map, wrong for the list.
export const groupCall = (call: GroupCall): GroupCall => ({ ...call, participants: list(call.participants) });

/** A left group call with its lists made arrays again. */
export const leftCall = (left: LeftGroupCall): LeftGroupCall => {
  const { call, ...rest } = left;
  return { ...rest, changes: list(left.changes), ...(call ? { call: groupCall(call) } : {}) };
};

/** A CallPresence as a script encoded it (an empty `others` comes back as `{}`). */
export const presence = (reply: CallPresence): CallPresence => ({ ...reply, others: list(reply.others) });

/** One DepartedCall reply of a take script (JSON). */
export function departed(reply: string): DepartedCall {
  const taken = JSON.parse(reply) as DepartedCall;
  return taken.kind === "group" ? { ...taken, left: leftCall(taken.left) } : taken;
}

/** cjson encodes an empty Lua table as `{}`; lists come back as arrays either way. */
export function list<T>(value: T[] | Record<string, never> | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

/** A step's budget as its script's last three ARGV (points, window ms, now in epoch ms), or none: no charge. */
export function chargeArgs(charge: StepCharge | undefined): number[] {
  return charge ? [charge.points, charge.windowMs, Math.round(charge.now)] : [];
}
