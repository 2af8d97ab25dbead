// Lua scripts of the Redis Store for rooms: room history and the room-message hot path.
import { HISTORY_LIMIT } from "../types.js";

/**
 * ARGV: prefix, room, message JSON without its id, history limit, now, id of the message replied to
 * ('' for none), client address ('' for none), its points, its windowMs -> the stored message JSON, or
 * {'rate_limited', wait ms}. The hot path of room chat: the instance checked membership and the
 * sender's own budget on its own view (realtime/post-budgets.ts), so usually two commands, INCR (the
 * id) and RPUSH; a crowded session's (Session.crowded: the caller passes its address) one more, the
 * address's INCR (a PEXPIRE once per window), first. Also appendRoomMessage's, with no address.
 */
export const postRoomMessage = `
if ARGV[7] ~= '' then
  local wait = charge_window(p .. ':rl:post-address:' .. ARGV[7], ARGV[8], ARGV[9])
  if wait then return {'rate_limited', math.max(1, wait)} end
end
local json = with_quote(ARGV[3], p .. ':room:' .. ARGV[2] .. ':history', ARGV[6], ARGV[4])
return append_room_message(ARGV[2], json, tonumber(ARGV[4]), ARGV[5])
`;

/**
 * ARGV: prefix, windowMs, now, then (userId, count) per sender -> {used, age ms of the window} per
 * sender: charges the room-message budgets an instance accepted on its own view (see
 * chargeRoomMessages). Each user's budget is one key, `rl:post:<id>` = (window start ms mod 2^31) *
 * 2^21 + points used (below 2^52, exact in Lua), living one window: one INCRBY per sender, and a SET
 * with the window's expiry when it starts one (the key was absent: the answer is the count alone, or
 * the window it holds is over). Windows start on the instances' clocks; a start a little ahead of this
 * instance's is the same window.
 */
export const chargeRoomMessages = `
local window, now, span = tonumber(ARGV[2]), tonumber(ARGV[3]), 2147483648
local out = {}
for i = 4, #ARGV, 2 do
  local key, count = p .. ':rl:post:' .. ARGV[i], tonumber(ARGV[i + 1])
  local value = redis.call('INCRBY', key, count)
  local at, used = post_budget(value)
  local age = (now - at) % span
  if value < 2097152 or (age >= window and age <= span - window) then
    at, used, age = now % span, count, 0
    redis.call('SET', key, string.format('%d', at * 2097152 + used), 'PX', window)
  elseif age > span - window then
    age = age - span
  end
  table.insert(out, used)
  table.insert(out, age)
end
return out
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
