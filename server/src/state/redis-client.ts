// The Redis Store's connection: the Lua scripts (redis-scripts.ts) defined as commands, the prefixed
// keys, and the decoding of what cjson answers.
import type { Redis } from "ioredis";
import type { ChatMessage, GroupCall, Member } from "@videochat/protocol";
import type { LeftGroupCall } from "./group-store.js";
import { scripts, withPrelude } from "./redis-scripts.js";
import type { EndedSession, RoomView } from "./store.js";

type ScriptName = keyof typeof scripts;
/** Commands get a prefix: a bare name like `setStatus` would shadow ioredis's own methods. */
type CommandName = `script_${ScriptName}`;
type ScriptClient = Redis & Record<CommandName, (...args: (string | number)[]) => Promise<unknown>>;

/** The one connection every part of the RedisStore shares, with the scripts defined on it. */
export class RedisScripts {
  readonly redis: ScriptClient;

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

  /** The key of `parts` under the configured prefix. */
  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** Runs a script that answers JSON or nil; the parsed reply, or null. */
  async run<T>(name: ScriptName, ...args: (string | number)[]): Promise<T | null> {
    const reply = await this.call(name, ...args);
    return typeof reply === "string" ? (JSON.parse(reply) as T) : null;
  }

  /** Runs a script and hands back its raw reply. */
  call(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return this.redis[`script_${name}`](this.prefix, ...args);
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

/** An ended session with its lists made arrays again. */
export const endedSession = (ended: EndedSession): EndedSession => ({
  ...ended,
  connections: list(ended.connections),
  ...(ended.leftCall ? { leftCall: leftCall(ended.leftCall) } : {}),
});

/** cjson encodes an empty Lua table as `{}`; lists come back as arrays either way. */
export function list<T>(value: T[] | Record<string, never> | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
