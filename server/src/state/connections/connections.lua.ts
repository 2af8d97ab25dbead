// Lua scripts of the Redis Store for the connections (tabs) of a session: attaching, detaching,
// rebuilding a lost session, idleness. Each runs atomically; ARGV[1] is the key prefix.

/** ARGV: prefix, id, connectionId, maxConnections -> JSON {ok, session, resumed, entered?} | {ok = false, code} */
export const attachConnection = `
local s = read_session(ARGV[2])
if not s then return cjson.encode({ok = false, code = 'session_unknown'}) end
return cjson.encode(attach(s, ARGV[3], tonumber(ARGV[4])))
`;

/**
 * ARGV: prefix, session id the token names, tokenDigest, connectionId, maxConnections[, now, attach
 * points, window ms] -> {attach JSON} when refused (with the userId, except for an unknown session;
 * \`flooding\` while held off, \`rate_limited\` past the attach budget, both with retryAfterMs), else
 * {attach JSON, room version, member JSONs, history JSONs, group call JSON or nil}: the whole join of a
 * connection, read right after its attach. The hold-off and the budget live in the session's hash.
 */
export const connect = `
-- The token names its session; its digest, kept in the session, says whether it is the right one.
local s = read_session(ARGV[2])
if not s or s.tokenDigest ~= ARGV[3] then return {cjson.encode({ok = false, code = 'session_unknown'})} end
local fields = nil
if ARGV[6] then
  local now = tonumber(ARGV[6])
  if s.heldUntil > now then
    return {cjson.encode({ok = false, code = 'flooding', retryAfterMs = s.heldUntil - now, userId = s.id})}
  end
  local budget, wait = charge_field(s, 'attach', ARGV[7], ARGV[8], now)
  if wait then
    redis.call('HSET', session_key(s.id), 'attach', budget)
    return {cjson.encode({ok = false, code = 'rate_limited', retryAfterMs = wait, userId = s.id})}
  end
  -- Written by the attach's own HSET when it makes one.
  fields = {'attach', budget}
end
local attached = attach(s, ARGV[4], tonumber(ARGV[5]), fields)
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

/**
 * ARGV: prefix, id, connectionId, '1' idle | '0' active[, budget points, window ms, now] -> JSON {session,
 * changed?, retryAfterMs?} or nil. The presence budget is a field of the session's hash (charge_field).
 */
export const setConnectionIdle = `
local s = read_session(ARGV[2])
if not s or redis.call('SISMEMBER', p .. ':conns:' .. s.id, ARGV[3]) == 0 then return nil end
local fields, refused = charge_presence(s, ARGV[5], ARGV[6], ARGV[7])
if refused then return refused end
if ARGV[4] == '1' then redis.call('SADD', p .. ':idle:' .. s.id, ARGV[3])
else redis.call('SREM', p .. ':idle:' .. s.id, ARGV[3]) end
local changed = refresh_status(s, fields)
return cjson.encode({session = public(s), changed = changed})
`;

/** ARGV: prefix, id, until (epoch ms) -> 1, or 0 without a session: its tabs may not connect until then. */
export const holdOff = `
if redis.call('EXISTS', session_key(ARGV[2])) == 0 then return 0 end
redis.call('HSET', session_key(ARGV[2]), 'heldUntil', ARGV[3])
return 1
`;
