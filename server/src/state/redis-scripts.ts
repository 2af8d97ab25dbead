// Lua scripts behind the Redis Store. Each multi-key change runs as one script, so it is atomic
// across instances: claiming a name, entering or leaving a room, reaping an expired session.
// Keys are built inside the scripts from the prefix (ARGV[1]); this targets one Redis, not Redis Cluster.

const prelude = `
local p = ARGV[1]
local function session_key(id) return p .. ':session:' .. id end
local function chat_key(id) return p .. ':chat:' .. id end
-- Adds or refreshes a member from its session; returns the change with the room's new version.
local function put_member(room, s)
  local json = cjson.encode({id = s.id, name = s.name, status = s.status, busy = s.chatId ~= nil})
  redis.call('HSET', p .. ':room:' .. room .. ':members', s.id, json)
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
  local f = redis.call('HMGET', session_key(id), 'name', 'room', 'status', 'entered', 'nameKey', 'tokenDigest', 'chatId')
  if not f[1] then return nil end
  return {id = id, name = f[1], room = f[2], status = f[3], entered = f[4] == '1', nameKey = f[5], tokenDigest = f[6],
    chatId = f[7] or nil}
end
local function public(s)
  return {id = s.id, name = s.name, room = s.room, status = s.status, entered = s.entered, chatId = s.chatId}
end
-- Re-announces a member whose own fields changed, if they are in their room.
local function refresh_member(s, changes)
  if s.entered and redis.call('HEXISTS', p .. ':room:' .. s.room .. ':members', s.id) == 1 then
    table.insert(changes, put_member(s.room, s))
  end
end
local function read_chat(id)
  local f = redis.call('HMGET', chat_key(id), 'aId', 'aName', 'bId', 'bName', 'callId', 'callerId', 'callState')
  if not f[1] then return nil end
  local chat = {id = id, a = {id = f[1], name = f[2]}, b = {id = f[3], name = f[4]}}
  if f[5] then chat.call = {id = f[5], callerId = f[6], state = f[7]} end
  return chat
end
-- Connection ids are "<instance>/<socket>"; ids without a slash belong to no instance.
local function instance_of(conn)
  local slash = string.find(conn, '/', 1, true)
  if not slash then return nil end
  return string.sub(conn, 1, slash - 1)
end
local function conns_of(id, instance)
  local found = {}
  for _, conn in ipairs(redis.call('SMEMBERS', p .. ':conns:' .. id)) do
    if instance_of(conn) == instance then table.insert(found, conn) end
  end
  return found
end
local function end_session(id)
  local s = read_session(id)
  if not s then return nil end
  local nameKey = p .. ':name:' .. s.nameKey
  if redis.call('GET', nameKey) == id then redis.call('DEL', nameKey) end
  redis.call('DEL', p .. ':token:' .. s.tokenDigest, session_key(id), p .. ':conns:' .. id)
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
local instance = instance_of(ARGV[3])
if instance then redis.call('SADD', p .. ':inst:' .. instance .. ':sessions', s.id) end
redis.call('ZREM', p .. ':grace', s.id)
local resumed = s.entered
local entered = nil
if not s.entered then
  redis.call('HSET', p .. ':session:' .. s.id, 'entered', '1')
  s.entered = true
  entered = put_member(s.room, s)
end
return cjson.encode({session = public(s), resumed = resumed, entered = entered})
`;

/** ARGV: prefix, id, connectionId, graceDeadline */
export const detachConnection = `
local instance = instance_of(ARGV[3])
local conns = p .. ':conns:' .. ARGV[2]
redis.call('SREM', conns, ARGV[3])
if instance and #conns_of(ARGV[2], instance) == 0 then
  redis.call('SREM', p .. ':inst:' .. instance .. ':sessions', ARGV[2])
end
if redis.call('EXISTS', session_key(ARGV[2])) == 0 then return 0 end
if redis.call('SCARD', conns) == 0 then redis.call('ZADD', p .. ':grace', ARGV[4], ARGV[2]) end
return 1
`;

/** ARGV: prefix, instanceId, now -> 1 if the instance was not registered */
export const heartbeat = `
return redis.call('HSET', p .. ':instances', ARGV[2], ARGV[3])
`;

/** ARGV: prefix, now, ttlMs, graceMs -> ids of the dead instances this call took over */
export const takeOverDeadInstances = `
local now, ttl, grace = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local registry = redis.call('HGETALL', p .. ':instances')
local dead = {}
for i = 1, #registry, 2 do
  local instance, seen = registry[i], tonumber(registry[i + 1])
  if seen < now - ttl then
    redis.call('HDEL', p .. ':instances', instance)
    local served = p .. ':inst:' .. instance .. ':sessions'
    for _, id in ipairs(redis.call('SMEMBERS', served)) do
      local conns = p .. ':conns:' .. id
      for _, conn in ipairs(conns_of(id, instance)) do redis.call('SREM', conns, conn) end
      if redis.call('EXISTS', session_key(id)) == 1 and redis.call('SCARD', conns) == 0 then
        -- LT: a session already in its grace period keeps the earlier deadline.
        redis.call('ZADD', p .. ':grace', 'LT', seen + grace, id)
      end
    end
    redis.call('DEL', served)
    table.insert(dead, instance)
  end
end
return dead
`;

/** ARGV: prefix, instanceId */
export const retireInstance = `
redis.call('HDEL', p .. ':instances', ARGV[2])
redis.call('DEL', p .. ':inst:' .. ARGV[2] .. ':sessions')
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
if s.entered then joined = put_member(s.room, s) end
return cjson.encode({session = public(s), left = left, joined = joined})
`;

/** ARGV: prefix, id, status -> JSON {session, changed?} or nil */
export const setStatus = `
local s = read_session(ARGV[2])
if not s then return nil end
s.status = ARGV[3]
redis.call('HSET', p .. ':session:' .. s.id, 'status', s.status)
local changed = nil
if s.entered then changed = put_member(s.room, s) end
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

/** ARGV: prefix, userId, partnerId, new chat id -> JSON OpenPrivateChatResult */
export const openPrivateChat = `
local me = read_session(ARGV[2])
if not me then return cjson.encode({ok = false, code = 'session_unknown'}) end
local other = read_session(ARGV[3])
if not other or other.id == me.id or not other.entered or other.room ~= me.room then
  return cjson.encode({ok = false, code = 'partner_unavailable'})
end
if me.chatId then return cjson.encode({ok = false, code = 'already_in_chat'}) end
if other.chatId then return cjson.encode({ok = false, code = 'partner_busy', partnerName = other.name}) end
local id = ARGV[4]
redis.call('HSET', chat_key(id), 'aId', me.id, 'aName', me.name, 'bId', other.id, 'bName', other.name)
local changes = {}
for _, s in ipairs({me, other}) do
  redis.call('HSET', session_key(s.id), 'chatId', id)
  s.chatId = id
  refresh_member(s, changes)
end
return cjson.encode({ok = true, chat = read_chat(id), changes = changes})
`;

/** ARGV: prefix, chatId -> JSON chat or nil */
export const getPrivateChat = `
local chat = read_chat(ARGV[2])
if not chat then return nil end
return cjson.encode(chat)
`;

/** ARGV: prefix, chatId -> JSON {chat, changes} or nil */
export const closePrivateChat = `
local chat = read_chat(ARGV[2])
if not chat then return nil end
redis.call('DEL', chat_key(chat.id), chat_key(chat.id) .. ':messages', chat_key(chat.id) .. ':seq')
local changes = {}
for _, side in ipairs({chat.a, chat.b}) do
  local s = read_session(side.id)
  if s and s.chatId == chat.id then
    redis.call('HDEL', session_key(s.id), 'chatId')
    s.chatId = nil
    refresh_member(s, changes)
  end
end
return cjson.encode({chat = chat, changes = changes})
`;

/** ARGV: prefix, chatId, message JSON without its id, history limit -> the stored message JSON, or nil */
export const appendPrivateMessage = `
if redis.call('EXISTS', chat_key(ARGV[2])) == 0 then return nil end
local id = redis.call('INCR', chat_key(ARGV[2]) .. ':seq')
local json = '{"id":' .. id .. ',' .. string.sub(ARGV[3], 2)
redis.call('RPUSH', chat_key(ARGV[2]) .. ':messages', json)
redis.call('LTRIM', chat_key(ARGV[2]) .. ':messages', -tonumber(ARGV[4]), -1)
return json
`;

/** ARGV: prefix, chatId, callerId, new call id -> JSON StartCallResult */
export const startCall = `
local chat = read_chat(ARGV[2])
if not chat then return cjson.encode({ok = false, code = 'no_private_chat'}) end
if chat.call then return cjson.encode({ok = false, code = 'call_exists'}) end
redis.call('HSET', chat_key(chat.id), 'callId', ARGV[4], 'callerId', ARGV[3], 'callState', 'ringing')
return cjson.encode({ok = true, call = {id = ARGV[4], callerId = ARGV[3], state = 'ringing'}})
`;

/** ARGV: prefix, chatId, calleeId, callId, '1' accept | '0' decline -> JSON call or nil */
export const answerCall = `
local chat = read_chat(ARGV[2])
if not chat or not chat.call or chat.call.id ~= ARGV[4] or chat.call.state ~= 'ringing' then return nil end
if chat.call.callerId == ARGV[3] or (chat.a.id ~= ARGV[3] and chat.b.id ~= ARGV[3]) then return nil end
if ARGV[5] == '1' then
  redis.call('HSET', chat_key(chat.id), 'callState', 'active')
  chat.call.state = 'active'
else
  redis.call('HDEL', chat_key(chat.id), 'callId', 'callerId', 'callState')
end
return cjson.encode(chat.call)
`;

/** ARGV: prefix, chatId, callId, '1' only if ringing -> 1 ended, 0 not */
export const endCall = `
local chat = read_chat(ARGV[2])
if not chat or not chat.call or chat.call.id ~= ARGV[3] then return 0 end
if ARGV[4] == '1' and chat.call.state ~= 'ringing' then return 0 end
redis.call('HDEL', chat_key(chat.id), 'callId', 'callerId', 'callState')
return 1
`;

/** ARGV: prefix, userId, callId -> the partner's id while callId is the user's current call, else nil */
export const callPartner = `
local chatId = redis.call('HGET', session_key(ARGV[2]), 'chatId')
if not chatId then return nil end
local chat = read_chat(chatId)
if not chat or not chat.call or chat.call.id ~= ARGV[3] then return nil end
if chat.a.id == ARGV[2] then return chat.b.id end
return chat.a.id
`;

export const scripts = {
  heartbeat,
  takeOverDeadInstances,
  retireInstance,
  openPrivateChat,
  getPrivateChat,
  closePrivateChat,
  appendPrivateMessage,
  startCall,
  answerCall,
  endCall,
  callPartner,
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
