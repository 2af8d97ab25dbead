// Lua scripts of the Redis Store for the connections (tabs) of a session: attaching, detaching,
// rebuilding a lost session, idleness. Each runs atomically; ARGV[1] is the key prefix.

/** ARGV: prefix, id, connectionId, maxConnections -> JSON {ok, session, resumed, entered?} | {ok = false, code} */
export const attachConnection = `
local s = read_session(ARGV[2])
if not s then return cjson.encode({ok = false, code = 'session_unknown'}) end
return cjson.encode(attach(s, ARGV[3], tonumber(ARGV[4])))
`;

/**
 * ARGV: prefix, session id the token names, tokenDigest, connectionId, maxConnections -> {attach JSON} when refused (with the
 * userId when the session has too many tabs), else {attach JSON, room version, member JSONs, history
 * JSONs, group call JSON or nil}: the whole join of a connection, read right after its attach.
 */
export const connect = `
-- The token names its session; its digest, kept in the session, says whether it is the right one.
local s = read_session(ARGV[2])
if not s or s.tokenDigest ~= ARGV[3] then return {cjson.encode({ok = false, code = 'session_unknown'})} end
local attached = attach(s, ARGV[4], tonumber(ARGV[5]))
if not attached.ok then
  attached.userId = s.id
  return {cjson.encode(attached)}
end
-- A change this attach made carries the room's latest version.
local change = attached.entered or attached.updated
return {cjson.encode(attached), room_view(s.room, change and change.version)}
`;

/**
 * ARGV: prefix, snapshot JSON {id, name, nameKey, tokenDigest, room, roomSeq, status}, connectionId, maxConnections
 * -> like attachConnection, or {ok = false, code = 'name_taken'} when another session holds the name.
 */
export const restoreSession = `
local snap = cjson.decode(ARGV[2])
local s = read_session(snap.id)
if not s then
  local holder = redis.call('GET', p .. ':name:' .. snap.nameKey)
  if holder and holder ~= snap.id then return cjson.encode({ok = false, code = 'name_taken'}) end
  redis.call('SET', p .. ':name:' .. snap.nameKey, snap.id)
  redis.call('HSET', session_key(snap.id), 'name', snap.name, 'room', snap.room, 'status', snap.status,
    'chosen', snap.status, 'entered', '0', 'nameKey', snap.nameKey, 'tokenDigest', snap.tokenDigest, 'roomSeq', snap.roomSeq)
  s = read_session(snap.id)
end
return cjson.encode(attach(s, ARGV[3], tonumber(ARGV[4])))
`;

/** ARGV: prefix, id, connectionId, graceDeadline -> JSON {changed?}: the status change the tab's leaving made */
export const detachConnection = `
-- An ended session took its connections with it (see end_session).
local s = read_session(ARGV[2])
if not s then return '{}' end
local conns = p .. ':conns:' .. ARGV[2]
redis.call('SREM', conns, ARGV[3])
redis.call('SREM', p .. ':idle:' .. ARGV[2], ARGV[3])
local instance = instance_of(ARGV[3])
if instance and #conns_of(ARGV[2], instance) == 0 then
  redis.call('SREM', p .. ':inst:' .. instance .. ':sessions', ARGV[2])
end
if redis.call('SCARD', conns) == 0 then
  redis.call('ZADD', p .. ':grace', ARGV[4], ARGV[2])
  return '{}'
end
return cjson.encode({changed = refresh_status(s)})
`;

/** ARGV: prefix, id, connectionId, '1' idle | '0' active -> JSON {session, changed?} or nil */
export const setConnectionIdle = `
local s = read_session(ARGV[2])
if not s or redis.call('SISMEMBER', p .. ':conns:' .. s.id, ARGV[3]) == 0 then return nil end
if ARGV[4] == '1' then redis.call('SADD', p .. ':idle:' .. s.id, ARGV[3])
else redis.call('SREM', p .. ':idle:' .. s.id, ARGV[3]) end
local changed = refresh_status(s)
return cjson.encode({session = public(s), changed = changed})
`;
