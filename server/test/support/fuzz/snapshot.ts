// Everything the Redis Store holds under the fuzz prefix, read in one Lua call so that it is one
// instant's state, and sorted by kind for the invariant checks.
import type { Redis } from "ioredis";
import type { ChatMessage, Member, PrivateMessage } from "@videochat/protocol";

const DUMP = `
local out = {}
for _, key in ipairs(redis.call('KEYS', ARGV[1] .. ':*')) do
  local kind = redis.call('TYPE', key).ok
  local value
  if kind == 'hash' then value = redis.call('HGETALL', key)
  elseif kind == 'set' then value = redis.call('SMEMBERS', key)
  elseif kind == 'zset' then value = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  elseif kind == 'list' then value = redis.call('LRANGE', key, 0, -1)
  else value = {redis.call('GET', key)} end
  table.insert(out, {key, value})
end
return out
`;

export interface StoreSnapshot {
  at: number;
  sessions: Map<string, Record<string, string>>;
  conns: Map<string, Set<string>>;
  idle: Map<string, Set<string>>;
  /** Room -> member id -> member. */
  members: Map<string, Map<string, Member>>;
  /** Room -> the member ids that have a room-message budget field beside their entry. */
  budgets: Map<string, Set<string>>;
  history: Map<string, ChatMessage[]>;
  /** "<a>:<b>" (a pair of user ids) -> the pair's private history. */
  pairs: Map<string, PrivateMessage[]>;
  chats: Map<string, Record<string, string>>;
  /** Name key -> holder's session id. */
  names: Map<string, string>;
  /** Session id -> grace deadline; chat id -> ring deadline; instance key -> last heartbeat. */
  grace: Map<string, number>;
  rings: Map<string, number>;
  instances: Map<string, number>;
  /** Instance key -> the sessions it serves. */
  served: Map<string, Set<string>>;
  /** Group call id -> its hash {room, version, max}, its participants in order, and what it keeps by participant. */
  gcalls: Map<string, Record<string, string>>;
  gcallOrder: Map<string, string[]>;
  gcallInvites: Map<string, Map<string, string>>;
  gcallHolders: Map<string, Map<string, string>>;
  gcallMedia: Map<string, Map<string, string>>;
  /** Room -> its group call id; "<call>|<invitee>" -> the invitation's deadline. */
  roomCalls: Map<string, string>;
  invites: Map<string, number>;
}

const pairs = (flat: string[]) => {
  const map = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) map.set(flat[i]!, flat[i + 1]!);
  return map;
};
const numbers = (flat: string[]) => new Map([...pairs(flat)].map(([key, value]) => [key, Number(value)]));
/** The suffix of a member's room-message budget field in a room's members hash (prelude.lua.ts: post_field). */
const POST_SUFFIX = "|post";

export async function readStore(client: Redis, prefix: string): Promise<StoreSnapshot> {
  const dump = (await client.eval(DUMP, 0, prefix)) as [string, string[]][];
  const snap: StoreSnapshot = {
    at: Date.now(),
    sessions: new Map(),
    conns: new Map(),
    idle: new Map(),
    members: new Map(),
    budgets: new Map(),
    history: new Map(),
    pairs: new Map(),
    chats: new Map(),
    names: new Map(),
    grace: new Map(),
    rings: new Map(),
    instances: new Map(),
    served: new Map(),
    gcalls: new Map(),
    gcallOrder: new Map(),
    gcallInvites: new Map(),
    gcallHolders: new Map(),
    gcallMedia: new Map(),
    roomCalls: new Map(),
    invites: new Map(),
  };
  const gcallParts = {
    invites: snap.gcallInvites,
    holders: snap.gcallHolders,
    media: snap.gcallMedia,
  } as Record<string, Map<string, Map<string, string>>>;
  for (const [fullKey, value] of dump) {
    const key = fullKey.slice(prefix.length + 1);
    const [kind, ...rest] = key.split(":");
    const id = rest.join(":");
    if (kind === "session") snap.sessions.set(id, Object.fromEntries(pairs(value)));
    else if (kind === "conns") snap.conns.set(id, new Set(value));
    else if (kind === "idle") snap.idle.set(id, new Set(value));
    else if (kind === "name") snap.names.set(id, value[0]!);
    else if (key === "grace") snap.grace = numbers(value);
    else if (key === "rings") snap.rings = numbers(value);
    else if (key === "instances") snap.instances = numbers(value);
    else if (kind === "inst" && rest.at(-1) === "sessions") snap.served.set(rest[0]!, new Set(value));
    else if (kind === "chat" && rest.length === 1) snap.chats.set(id, Object.fromEntries(pairs(value)));
    else if (kind === "gcall" && rest.length === 1) snap.gcalls.set(id, Object.fromEntries(pairs(value)));
    else if (kind === "gcall" && rest[1] === "order") snap.gcallOrder.set(rest[0]!, value);
    else if (kind === "gcall" && gcallParts[rest[1]!]) gcallParts[rest[1]!]!.set(rest[0]!, pairs(value));
    else if (kind === "room" && rest[1] === "gcall") snap.roomCalls.set(rest[0]!, value[0]!);
    else if (key === "invites") snap.invites = numbers(value);
    else if (kind === "room" && rest[1] === "members") {
      // Beside each member entry, the member's room-message budget (field "<id>|post", an integer).
      const fields = [...pairs(value)];
      const isBudget = ([field]: [string, string]) => field.endsWith(POST_SUFFIX);
      snap.members.set(
        rest[0]!,
        new Map(fields.filter((f) => !isBudget(f)).map(([m, json]) => [m, JSON.parse(json)])),
      );
      snap.budgets.set(
        rest[0]!,
        new Set(fields.filter(isBudget).map(([field]) => field.slice(0, -POST_SUFFIX.length))),
      );
    } else if (kind === "pair" && rest[2] === "messages")
      snap.pairs.set(
        `${rest[0]}:${rest[1]}`,
        value.map((json) => JSON.parse(json) as PrivateMessage),
      );
    else if (kind === "room" && rest[1] === "history")
      snap.history.set(
        rest[0]!,
        value.map((json) => JSON.parse(json) as ChatMessage),
      );
  }
  return snap;
}
