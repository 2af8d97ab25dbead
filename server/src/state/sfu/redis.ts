// The SFU part of the Redis Store. Keys under the prefix: `sfu:nodes` (hash: node URL -> SfuNode JSON),
// `sfu:call:<call id>` (SfuPlacement JSON), `sfu:on:<node URL>` (set of call ids) and `sfu:holding`
// (set of node URLs that hold calls). Placing, re-homing and dropping are Lua scripts: one atomic step
// each, whichever instances race.
import type { Redis } from "ioredis";
import type { SfuNode, SfuPlacement, SfuStore } from "./contract.js";

/** KEYS: call, holding; ARGV: placement JSON, node-set key, node URL. Sets it unless held; answers what holds. */
const PLACE = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', ARGV[2], cjson.decode(ARGV[1]).callId)
redis.call('SADD', KEYS[2], ARGV[3])
return ARGV[1]`;

/** KEYS: call, holding; ARGV: from URL, next JSON, prefix of node-set keys. Moves only while on `from`. */
const REHOME = `
local held = redis.call('GET', KEYS[1])
if not held then return nil end
local current = cjson.decode(held)
if current.node ~= ARGV[1] then return held end
local next = cjson.decode(ARGV[2])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SREM', ARGV[3] .. current.node, current.callId)
if redis.call('SCARD', ARGV[3] .. current.node) == 0 then redis.call('SREM', KEYS[2], current.node) end
redis.call('SADD', ARGV[3] .. next.node, current.callId)
redis.call('SADD', KEYS[2], next.node)
return ARGV[2]`;

/** KEYS: call, holding; ARGV: prefix of node-set keys. Deletes the placement; answers what it was. */
const DROP = `
local held = redis.call('GET', KEYS[1])
if not held then return nil end
local current = cjson.decode(held)
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. current.node, current.callId)
if redis.call('SCARD', ARGV[1] .. current.node) == 0 then redis.call('SREM', KEYS[2], current.node) end
return held`;

const parse = (reply: unknown): SfuPlacement | null =>
  typeof reply === "string" ? (JSON.parse(reply) as SfuPlacement) : null;

export class RedisSfuStore implements SfuStore {
  /** Shares `redis` with the rest of the Store; does not close it. */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, "sfu", ...parts].join(":");
  }

  async beatSfuNode(url: string, load: number, aliveUntil: number): Promise<void> {
    await this.redis.hset(this.key("nodes"), url, JSON.stringify({ url, load, aliveUntil }));
  }

  private async allNodes(): Promise<SfuNode[]> {
    const all = await this.redis.hvals(this.key("nodes"));
    return all.map((json) => JSON.parse(json) as SfuNode);
  }

  async liveSfuNodes(now: number): Promise<SfuNode[]> {
    return (await this.allNodes()).filter((node) => node.aliveUntil > now);
  }

  async deadSfuNodes(now: number): Promise<string[]> {
    const [holding, nodes] = await Promise.all([this.redis.smembers(this.key("holding")), this.allNodes()]);
    const due = new Map(nodes.map((node) => [node.url, node.aliveUntil]));
    return holding.filter((url) => (due.get(url) ?? 0) <= now);
  }

  async placeSfuCall(candidate: SfuPlacement): Promise<SfuPlacement> {
    const keys = [this.key("call", candidate.callId), this.key("holding")];
    const reply = await this.redis.eval(
      PLACE,
      2,
      ...keys,
      JSON.stringify(candidate),
      this.key("on", candidate.node),
      candidate.node,
    );
    return parse(reply)!;
  }

  async sfuPlacementOf(callId: string): Promise<SfuPlacement | null> {
    return parse(await this.redis.get(this.key("call", callId)));
  }

  async rehomeSfuCall(callId: string, from: string, next: SfuPlacement): Promise<SfuPlacement | null> {
    const keys = [this.key("call", callId), this.key("holding")];
    const json = JSON.stringify({ ...next, callId });
    return parse(await this.redis.eval(REHOME, 2, ...keys, from, json, this.key("on", "")));
  }

  async sfuCallsOn(url: string): Promise<string[]> {
    return this.redis.smembers(this.key("on", url));
  }

  async dropSfuCall(callId: string): Promise<SfuPlacement | null> {
    const keys = [this.key("call", callId), this.key("holding")];
    return parse(await this.redis.eval(DROP, 2, ...keys, this.key("on", "")));
  }

  async close(): Promise<void> {}
}
