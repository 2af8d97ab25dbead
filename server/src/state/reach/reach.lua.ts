// Reach records (hash <p>:reach:<user>, sender id -> attempt JSON, plus a zset of send times to drop
// the oldest) and read positions (hash <p>:read:<user>, room -> message id). ARGV[1] is the prefix.

/**
 * Keeps an attempt for ARGV[3] from session ARGV[2], another session of the same room; the attempt JSON,
 * or nil. ARGV: ..., kind, at, limit, ttl ms
 */
const keep = `
local function keep_attempt(from_id, to_id, kind, at, limit, ttl)
  local from = redis.call('HMGET', session_key(from_id), 'name', 'room')
  local name = from[1]
  -- Only someone else in the target's room reaches them (the feature's own step refuses the rest).
  if not name or from_id == to_id or redis.call('HGET', session_key(to_id), 'room') ~= from[2] then return nil end
  local attempt = cjson.encode({from = {id = from_id, name = name}, kind = kind, at = tonumber(at)})
  local key, order = p .. ':reach:' .. to_id, p .. ':reach:' .. to_id .. ':order'
  redis.call('HSET', key, from_id, attempt)
  redis.call('ZADD', order, tonumber(at), from_id)
  local over = redis.call('ZCARD', order) - tonumber(limit)
  if over > 0 then
    local gone = redis.call('ZRANGE', order, 0, over - 1)
    redis.call('ZREM', order, unpack(gone))
    redis.call('HDEL', key, unpack(gone))
  end
  redis.call('PEXPIRE', key, ttl)
  redis.call('PEXPIRE', order, ttl)
  return attempt
end
`;

/**
 * ARGV: prefix, fromId, toId, kind, at, limit, ttl -> JSON {refused, name?}. A sender whose own step will
 * refuse (kind chat: already talking; call: in no chat; group: in no group call) leaves no notice.
 */
export const checkReach = `${keep}
local chosen = redis.call('HMGET', session_key(ARGV[3]), 'chosen', 'status', 'name')
if not chosen[3] or (chosen[1] or chosen[2]) ~= 'unavailable' then return cjson.encode({refused = false}) end
local busy = redis.call('HMGET', session_key(ARGV[2]), 'chatId', 'groupCallId')
local may
if ARGV[4] == 'chat' then may = not busy[1] and not busy[2]
elseif ARGV[4] == 'call' then may = busy[1] ~= false
else may = busy[2] ~= false end
if not may then return cjson.encode({refused = false}) end
if not keep_attempt(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]) then
  return cjson.encode({refused = false})
end
return cjson.encode({refused = true, name = chosen[3]})
`;

/** ARGV: prefix, fromId, toId, kind, at, limit, ttl -> the attempt JSON, or nil */
export const noteReach = `${keep}
return keep_attempt(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
`;

/** ARGV: prefix, userId -> attempt JSONs, oldest first */
export const reachAttempts = `
local key = p .. ':reach:' .. ARGV[2]
local ids = redis.call('ZRANGE', key .. ':order', 0, -1)
if #ids == 0 then return {} end
local out = {}
for _, json in ipairs(redis.call('HMGET', key, unpack(ids))) do
  if json then table.insert(out, json) end
end
return out
`;

/** ARGV: prefix, userId, fromId -> 1 when an attempt was forgotten */
export const dismissReach = `
local key = p .. ':reach:' .. ARGV[2]
redis.call('ZREM', key .. ':order', ARGV[3])
return redis.call('HDEL', key, ARGV[3])
`;

/** ARGV: prefix, userId, room, id, ttl -> the new position, or nil when it did not move */
export const markRead = `
local key = p .. ':read:' .. ARGV[2]
local latest = tonumber(redis.call('GET', p .. ':room:' .. ARGV[3] .. ':seq') or '0')
local next = math.min(tonumber(ARGV[4]), latest)
if next <= tonumber(redis.call('HGET', key, ARGV[3]) or '0') then return nil end
redis.call('HSET', key, ARGV[3], next)
redis.call('PEXPIRE', key, ARGV[5])
return next
`;

/**
 * ARGV: prefix, userId, ttl, now, room... -> {positions, latest ids} in the order of the rooms. An empty
 * room's counter is seeded from now (as append_room_message seeds it), so its ids follow the position.
 */
export const readState = `
local key = p .. ':read:' .. ARGV[2]
local positions, latest = {}, {}
for i = 5, #ARGV do
  local seq = p .. ':room:' .. ARGV[i] .. ':seq'
  redis.call('SET', seq, ARGV[4], 'NX')
  local newest = tonumber(redis.call('GET', seq))
  redis.call('HSETNX', key, ARGV[i], newest)
  table.insert(latest, newest)
  table.insert(positions, tonumber(redis.call('HGET', key, ARGV[i])))
end
redis.call('PEXPIRE', key, ARGV[3])
return {positions, latest}
`;
