// Lua scripts of the Redis Store for rooms: room history and the room-message hot path.

/**
 * ARGV: prefix, room, message JSON without its id, history limit, now, userId, points, windowMs
 * -> the stored message JSON, or {code, retryAfterMs?}: one round trip checks membership, charges the
 * sender's budget (a fixed window, like rate-limiter-flexible's) and appends.
 */
export const postRoomMessage = `
if redis.call('HEXISTS', p .. ':room:' .. ARGV[2] .. ':members', ARGV[6]) == 0 then return {'not_in_room'} end
local wait = charge_window(p .. ':rl:post:' .. ARGV[6], ARGV[7], ARGV[8])
if wait then return {'rate_limited', wait} end
return append_room_message(ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])
`;

/**
 * ARGV: prefix, room, message JSON without its id ("{...}"), history limit, now (epoch ms)
 * -> the stored message JSON (see append_room_message in the prelude).
 */
export const appendRoomMessage = `
return append_room_message(ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])
`;
