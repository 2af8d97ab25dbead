// Lua scripts of the Redis Store for sessions: claiming a name, status, room moves, expiry and
// log-out. Each runs atomically; ARGV[1] is the key prefix.

/**
 * ARGV: prefix, nameKey, id, name, room, tokenDigest, graceDeadline[, address, points, windowMs[, max
 * live sessions, crowdedAt]] -> 1 claimed, 2 claimed crowded, 0 taken, {'too_many_sessions'} when the
 * address holds max live sessions (the set <p>:addr:<address>, which end_session leaves), or
 * {'rate_limited', wait ms} once the address spent its claims (a fixed window), or {'crowded', ids...}
 * claimed crowded by the claim that made the address crowded: its other live sessions, marked crowded
 * now too (only at that claim: while the address stays crowded, every session claimed is).
 */
export const createSession = `
local live_key, live = nil, 0
if ARGV[8] then
  local wait = charge_window(p .. ':rl:claim:' .. ARGV[8], ARGV[9], ARGV[10])
  if wait then return {'rate_limited', wait} end
  if ARGV[11] then
    live_key = live_sessions_key(ARGV[8])
    live = redis.call('SCARD', live_key)
    if live >= tonumber(ARGV[11]) then return {'too_many_sessions'} end
  end
end
if not redis.call('SET', p .. ':name:' .. ARGV[2], ARGV[3], 'NX') then return 0 end
local fields = {'name', ARGV[4], 'room', ARGV[5], 'status', 'online', 'chosen', 'online', 'entered', '0',
  'nameKey', ARGV[2], 'tokenDigest', ARGV[6], 'roomSeq', '0'}
local crowded = live_key and live + 1 >= tonumber(ARGV[12])
if live_key then
  redis.call('SADD', live_key, ARGV[3])
  table.insert(fields, 'address')
  table.insert(fields, ARGV[8])
  if crowded then
    table.insert(fields, 'crowded')
    table.insert(fields, '1')
  end
end
redis.call('HSET', p .. ':session:' .. ARGV[3], unpack(fields))
redis.call('ZADD', p .. ':grace', ARGV[7], ARGV[3])
if crowded and live > 0 and live + 1 == tonumber(ARGV[12]) then
  local others = {'crowded'}
  for _, other in ipairs(redis.call('SMEMBERS', live_key)) do
    if other ~= ARGV[3] then
      redis.call('HSET', p .. ':session:' .. other, 'crowded', '1')
      table.insert(others, other)
    end
  end
  return others
end
if crowded then return 2 end
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

/**
 * ARGV: prefix, id, points, windowMs -> JSON ended session, nil without a session, or
 * {'rate_limited', wait ms} once the user's leave budget (a fixed window) is spent. A session ends once,
 * so the leave that ends it fits any budget of a point or more: only leaves that find no session (repeats,
 * a flood after the end) are charged, and the one leave of a session costs no budget command.
 */
export const leaveSession = `
local ended = nil
if tonumber(ARGV[3]) >= 1 then ended = end_session(ARGV[2]) end
if ended then return cjson.encode(ended) end
-- No session (or a budget of no points, which refuses every leave).
local wait = charge_window_once(p .. ':rl:leave:' .. ARGV[2], ARGV[3], ARGV[4])
if wait then return {'rate_limited', wait} end
return nil
`;

/** ARGV: prefix, id -> JSON ended session or nil */
export const endSession = `
local ended = end_session(ARGV[2])
if not ended then return nil end
return cjson.encode(ended)
`;
/**
 * ARGV: prefix, id, room -> nil, or {JSON {session, left?, joined?, closedChat?, leftCall?}, then the
 * room's view (see room_view)}: the mover's tabs enter the room with it, no second read.
 */
export const moveToRoom = `
local s = read_session(ARGV[2])
if not s then return nil end
if s.room == ARGV[3] then return {cjson.encode({session = public(s)}), room_view(s.room)} end
-- A private chat is between members of one room: moving on closes it in this same step.
local closed = nil
if s.chatId then
  closed = close_chat(s.chatId)
  s = read_session(ARGV[2])
end
-- So is the room's group call: moving on takes the mover out of it, in this same step.
local leftCall = leave_gcall(s, {})
local left, joined = nil, nil
if s.entered then left = remove_member(s.room, s) end
s.room = ARGV[3]
s.roomSeq = redis.call('HINCRBY', session_key(s.id), 'roomSeq', 1)
redis.call('HSET', session_key(s.id), 'room', s.room)
if s.entered then joined = put_member(s.room, s, '2097152') end
local move = {session = public(s), left = left, joined = joined, closedChat = closed, leftCall = leftCall}
return {cjson.encode(move), room_view(s.room, joined and joined.version)}
`;

/**
 * ARGV: prefix, id, chosen status, '1' when the choosing tab is known active | '0'[, budget points,
 * window ms, now] -> JSON {session, changed?, retryAfterMs?} or nil. The presence budget is a field of
 * the session's hash (charge_field), written with the status: no command of its own. A choice of online
 * from a tab known active is online without reading the tabs (effective_status).
 */
export const setStatus = `
local s = read_session(ARGV[2])
if not s then return nil end
local fields, refused = charge_presence(s, ARGV[5], ARGV[6], ARGV[7])
if refused then return refused end
s.chosen = ARGV[3]
s.status = effective_status(s, ARGV[4] == '1')
redis.call('HSET', session_key(s.id), 'status', s.status, 'chosen', s.chosen, unpack(fields))
local changed = nil
if s.entered then changed = put_member(s.room, s) end
return cjson.encode({session = public(s), changed = changed})
`;
