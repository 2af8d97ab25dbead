// Lua scripts behind the Redis Store. Each multi-key change runs as one script, so it is atomic
// across instances: claiming a name, entering or leaving a room, reaping an expired session.
// Keys are built inside the scripts from the prefix (ARGV[1]); this targets one Redis, not Redis Cluster.

const prelude = `
local p = ARGV[1]
local function member_json(id, name, status)
  return cjson.encode({id = id, name = name, status = status})
end
-- Adds or refreshes a member; returns the room's new membership version.
local function put_member(room, id, name, status)
  local json = member_json(id, name, status)
  redis.call('HSET', p .. ':room:' .. room .. ':members', id, json)
  return {room = room, version = redis.call('INCR', p .. ':room:' .. room .. ':version'), member = cjson.decode(json)}
end
local function remove_member(room, id)
  local key = p .. ':room:' .. room .. ':members'
  local json = redis.call('HGET', key, id)
  if not json then return nil end
  redis.call('HDEL', key, id)
  return {room = room, version = redis.call('INCR', p .. ':room:' .. room .. ':version'), member = cjson.decode(json)}
end
local function read_session(id)
  local f = redis.call('HMGET', p .. ':session:' .. id, 'name', 'room', 'status', 'entered', 'nameKey', 'tokenDigest')
  if not f[1] then return nil end
  return {id = id, name = f[1], room = f[2], status = f[3], entered = f[4] == '1', nameKey = f[5], tokenDigest = f[6]}
end
local function public(s)
  return {id = s.id, name = s.name, room = s.room, status = s.status, entered = s.entered}
end
local function end_session(id)
  local s = read_session(id)
  if not s then return nil end
  local nameKey = p .. ':name:' .. s.nameKey
  if redis.call('GET', nameKey) == id then redis.call('DEL', nameKey) end
  redis.call('DEL', p .. ':token:' .. s.tokenDigest, p .. ':session:' .. id, p .. ':conns:' .. id)
  redis.call('ZREM', p .. ':grace', id)
  local left = nil
  if s.entered then left = remove_member(s.room, id) end
  return {session = public(s), left = left}
end
`;

/** ARGV: prefix, nameKey, id, name, room, tokenDigest, graceDeadline -> 1 claimed, 0 taken */
export const createSession = `
if not redis.call('SET', p .. ':name:' .. ARGV[2], ARGV[3], 'NX') then return 0 end
redis.call('HSET', p .. ':session:' .. ARGV[3], 'name', ARGV[4], 'room', ARGV[5], 'status', 'online',
  'entered', '0', 'nameKey', ARGV[2], 'tokenDigest', ARGV[6])
redis.call('SET', p .. ':token:' .. ARGV[6], ARGV[3])
redis.call('ZADD', p .. ':grace', ARGV[7], ARGV[3])
return 1
`;

/** ARGV: prefix, id, connectionId -> JSON {session, resumed, entered?} or nil */
export const attachConnection = `
local s = read_session(ARGV[2])
if not s then return nil end
redis.call('SADD', p .. ':conns:' .. s.id, ARGV[3])
redis.call('ZREM', p .. ':grace', s.id)
local resumed = s.entered
local entered = nil
if not s.entered then
  redis.call('HSET', p .. ':session:' .. s.id, 'entered', '1')
  s.entered = true
  entered = put_member(s.room, s.id, s.name, s.status)
end
return cjson.encode({session = public(s), resumed = resumed, entered = entered})
`;

/** ARGV: prefix, id, connectionId, graceDeadline */
export const detachConnection = `
if redis.call('EXISTS', p .. ':session:' .. ARGV[2]) == 0 then return 0 end
local conns = p .. ':conns:' .. ARGV[2]
redis.call('SREM', conns, ARGV[3])
if redis.call('SCARD', conns) == 0 then redis.call('ZADD', p .. ':grace', ARGV[4], ARGV[2]) end
return 1
`;

/** ARGV: prefix, now, limit -> JSON array of ended sessions */
export const takeExpiredSessions = `
local ids = redis.call('ZRANGEBYSCORE', p .. ':grace', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', p .. ':grace', id)
  local ended = end_session(id)
  if ended then table.insert(out, cjson.encode(ended)) end
end
return out
`;

/** ARGV: prefix, id -> JSON ended session or nil */
export const endSession = `
local ended = end_session(ARGV[2])
if not ended then return nil end
return cjson.encode(ended)
`;

/** ARGV: prefix, id, room -> JSON {session, left?, joined?} or nil */
export const moveToRoom = `
local s = read_session(ARGV[2])
if not s then return nil end
if s.room == ARGV[3] then return cjson.encode({session = public(s)}) end
local left, joined = nil, nil
if s.entered then left = remove_member(s.room, s.id) end
s.room = ARGV[3]
redis.call('HSET', p .. ':session:' .. s.id, 'room', s.room)
if s.entered then joined = put_member(s.room, s.id, s.name, s.status) end
return cjson.encode({session = public(s), left = left, joined = joined})
`;

/** ARGV: prefix, id, status -> JSON {session, changed?} or nil */
export const setStatus = `
local s = read_session(ARGV[2])
if not s then return nil end
s.status = ARGV[3]
redis.call('HSET', p .. ':session:' .. s.id, 'status', s.status)
local changed = nil
if s.entered then changed = put_member(s.room, s.id, s.name, s.status) end
return cjson.encode({session = public(s), changed = changed})
`;

/** ARGV: prefix, room, message JSON without its id ("{...}"), history limit -> the stored message JSON */
export const appendRoomMessage = `
local id = redis.call('INCR', p .. ':room:' .. ARGV[2] .. ':seq')
local json = '{"id":' .. id .. ',' .. string.sub(ARGV[3], 2)
local history = p .. ':room:' .. ARGV[2] .. ':history'
redis.call('RPUSH', history, json)
redis.call('LTRIM', history, -tonumber(ARGV[4]), -1)
return json
`;

export const scripts = {
  createSession,
  attachConnection,
  detachConnection,
  takeExpiredSessions,
  endSession,
  moveToRoom,
  setStatus,
  appendRoomMessage,
} as const;

export function withPrelude(body: string): string {
  return `${prelude}\n${body}`;
}
