// Lua scripts of the Redis Store for rooms: room history and the room-message hot path.
import { HISTORY_LIMIT } from "../types.js";

/**
 * ARGV: prefix, room, message JSON without its id, history limit, now, userId, points, windowMs,
 * id of the message replied to ('' for none), client address ('' for none), its points, its windowMs
 * -> the stored message JSON, or {code, retryAfterMs?}: one round trip checks membership, charges the
 * sender's budget (a fixed window, like rate-limiter-flexible's, on the instances' clocks), then their
 * address's (all its sessions together: charge_window, on Redis's clock) and appends.
 * Usually three commands: HINCRBY (membership and budget, see post_field), INCR (the id), RPUSH; a
 * crowded session's (Session.crowded: the caller passes its address) one more, the address's INCR
 * (a PEXPIRE once per window).
 */
export const postRoomMessage = `
local room, user, now = ARGV[2], ARGV[6], tonumber(ARGV[5])
local points, window, span = tonumber(ARGV[7]), tonumber(ARGV[8]), 2147483648
local members = p .. ':room:' .. room .. ':members'
local value = redis.call('HINCRBY', members, post_field(user), 1)
local at, used, write
if value == 1 then
  -- No budget beside an entry: no member (or an entry written before budgets were kept there).
  if redis.call('HEXISTS', members, user) == 0 then
    redis.call('HDEL', members, post_field(user))
    return {'not_in_room'}
  end
  at, used, write = 0, 0, true
else
  at, used = post_budget(value - 1)
end
-- The window's age on this instance's clock; a start a little ahead of it (another instance's) is
-- the same window.
local age = (now - at) % span
if age >= window and age <= span - window then
  at, used, age, write = now % span, 0, 0, true
elseif age > span - window then
  age = age - span
end
used = used + 1
-- A sender refused without end (the edge blocks them first) cannot carry into the window's bits.
if used >= 2000000 then used, write = points + 1, true end
if write then redis.call('HSET', members, post_field(user), string.format('%d', at * 2097152 + used)) end
if used > points then return {'rate_limited', math.max(1, window - age)} end
if ARGV[10] ~= '' then
  local wait = charge_window(p .. ':rl:post-address:' .. ARGV[10], ARGV[11], ARGV[12])
  if wait then return {'rate_limited', math.max(1, wait)} end
end
local json = with_quote(ARGV[3], p .. ':room:' .. room .. ':history', ARGV[9], ARGV[4])
return append_room_message(room, json, tonumber(ARGV[4]), ARGV[5])
`;

/**
 * ARGV: prefix, room, message JSON without its id ("{...}"), history limit, now (epoch ms), id of the
 * message replied to ('' for none) -> the stored message JSON (see append_room_message in the prelude).
 */
export const appendRoomMessage = `
local json = with_quote(ARGV[3], p .. ':room:' .. ARGV[2] .. ':history', ARGV[6], ARGV[4])
return append_room_message(ARGV[2], json, tonumber(ARGV[4]), ARGV[5])
`;

/**
 * ARGV: prefix, userId, message id, kind, arg, extra, want, max users (see change_message in the prelude) -> the
 * changed message JSON, or {code}: the message is looked for in the room the user is a member of.
 */
export const changeRoomMessage = `
local f = redis.call('HMGET', session_key(ARGV[2]), 'room', 'name')
if not f[1] or redis.call('HEXISTS', p .. ':room:' .. f[1] .. ':members', ARGV[2]) == 0 then
  return {'not_in_room'}
end
return change_message(p .. ':room:' .. f[1] .. ':history', ${HISTORY_LIMIT}, {id = ARGV[2], name = f[2]}, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
`;

/**
 * ARGV: prefix, room names... -> {members hash length, version, ...} per room, each count read at the
 * same instant as its version: one script instead of MULTI, the reads and EXEC.
 */
export const occupancy = `
local out = {}
for i = 2, #ARGV do
  local key = p .. ':room:' .. ARGV[i]
  table.insert(out, redis.call('HLEN', key .. ':members'))
  table.insert(out, tonumber(redis.call('GET', key .. ':version') or '0'))
end
return out
`;
