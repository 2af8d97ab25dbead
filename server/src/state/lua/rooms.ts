// Lua scripts of the Redis Store for rooms: moving between rooms, presence, room history.

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
if s.entered then joined = put_member(s.room, s) end
local move = {session = public(s), left = left, joined = joined, closedChat = closed, leftCall = leftCall}
return {cjson.encode(move), room_view(s.room, joined and joined.version)}
`;

/** ARGV: prefix, id, chosen status -> JSON {session, changed?} or nil */
export const setStatus = `
local s = read_session(ARGV[2])
if not s then return nil end
s.chosen = ARGV[3]
s.status = effective_status(s)
redis.call('HSET', session_key(s.id), 'status', s.status, 'chosen', s.chosen)
local changed = nil
if s.entered then changed = put_member(s.room, s) end
return cjson.encode({session = public(s), changed = changed})
`;

/**
 * ARGV: prefix, room, message JSON without its id, history limit, now, userId, points, windowMs
 * -> the stored message JSON, or {code, retryAfterMs?}: one round trip checks membership, charges the
 * sender's budget (a fixed window, like rate-limiter-flexible's) and appends.
 */
export const postRoomMessage = `
if redis.call('HEXISTS', p .. ':room:' .. ARGV[2] .. ':members', ARGV[6]) == 0 then return {'not_in_room'} end
local budget = p .. ':rl:post:' .. ARGV[6]
local used = redis.call('INCR', budget)
if used == 1 then redis.call('PEXPIRE', budget, ARGV[8]) end
if used > tonumber(ARGV[7]) then return {'rate_limited', redis.call('PTTL', budget)} end
return append_room_message(ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])
`;

/**
 * ARGV: prefix, room, message JSON without its id ("{...}"), history limit, now (epoch ms)
 * -> the stored message JSON (see append_room_message in the prelude).
 */
export const appendRoomMessage = `
return append_room_message(ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5])
`;
