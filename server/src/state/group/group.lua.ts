// Lua scripts of the Redis Store for group calls: one per room, a capped list of participants, and
// invitations with a deadline. Keys: gcall:<id> {room, version, max}, gcall:<id>:order (participants
// in join order), gcall:<id>:invites {invitee: inviter}, gcall:<id>:holders {participant: JSON {page,
// connection}}, gcall:<id>:media {participant: JSON media state}, gcall:<id>:hands {participant: raised
// at, epoch ms}, room:<r>:gcall, and the `invites`
// sorted set ("<call>|<invitee>" by deadline) that every reaper fires.

/** The end of a script that takes session `s` out of its call: JSON {callId, room, call?, changes} or nil. */
const takeOut = `
local changes = {}
local left = leave_gcall(s, changes)
if not left then return nil end
left.changes = changes
return cjson.encode(left)`;

/** ARGV: prefix, userId, new call id, max, page, connection -> JSON {ok, call, changes} | {ok = false, code} */
export const startGroupCall = `
local s = read_session(ARGV[2])
if not s then return cjson.encode({ok = false, code = 'session_unknown'}) end
if not s.entered then return cjson.encode({ok = false, code = 'not_in_room'}) end
if s.chatId or s.groupCallId then return cjson.encode({ok = false, code = 'already_in_chat'}) end
local roomCall = p .. ':room:' .. s.room .. ':gcall'
if redis.call('EXISTS', roomCall) == 1 then return cjson.encode({ok = false, code = 'call_exists'}) end
local id = ARGV[3]
redis.call('SET', roomCall, id)
redis.call('HSET', gcall_key(id), 'room', s.room, 'version', 1, 'max', ARGV[4])
redis.call('RPUSH', gcall_key(id) .. ':order', s.id)
redis.call('HSET', gcall_key(id) .. ':holders', s.id, cjson.encode({page = ARGV[5], connection = ARGV[6]}))
return cjson.encode(enter_gcall(s, id))
`;

/** ARGV: prefix, userId, callId, page, connection -> JSON {ok, call, changes} | {ok = false, code} */
export const joinGroupCall = `
local s = read_session(ARGV[2])
if not s then return cjson.encode({ok = false, code = 'session_unknown'}) end
local id = ARGV[3]
if s.groupCallId == id then return cjson.encode({ok = true, call = read_gcall(id), changes = {}}) end
if redis.call('GET', p .. ':room:' .. s.room .. ':gcall') ~= id or not s.entered then
  return cjson.encode({ok = false, code = 'no_call'})
end
if s.chatId or s.groupCallId then return cjson.encode({ok = false, code = 'already_in_chat'}) end
local max = tonumber(redis.call('HGET', gcall_key(id), 'max'))
if redis.call('LLEN', gcall_key(id) .. ':order') >= max then return cjson.encode({ok = false, code = 'call_full'}) end
redis.call('RPUSH', gcall_key(id) .. ':order', s.id)
redis.call('HINCRBY', gcall_key(id), 'version', 1)
redis.call('HDEL', gcall_key(id) .. ':invites', s.id)
redis.call('ZREM', p .. ':invites', id .. '|' .. s.id)
redis.call('HSET', gcall_key(id) .. ':holders', s.id, cjson.encode({page = ARGV[4], connection = ARGV[5]}))
redis.call('HDEL', gcall_key(id) .. ':media', s.id)
return cjson.encode(enter_gcall(s, id))
`;

/**
 * Script lines: session `s` (ARGV[2]) in call `id`, `holders` (the call's hash), `held` (the
 * holder decoded, or false) and `presence` (its CallPresence, not rejoined); nil when not in a call.
 */
const heldPlace = `
local s = read_session(ARGV[2])
if not s or not s.groupCallId then return nil end
local id = s.groupCallId
local holders = gcall_key(id) .. ':holders'
local held = redis.call('HGET', holders, s.id)
held = held and cjson.decode(held)
local others = {}
for _, uid in ipairs(redis.call('LRANGE', gcall_key(id) .. ':order', 0, -1)) do
  if uid ~= s.id then table.insert(others, uid) end
end
local presence = {kind = 'group', callId = id, user = {id = s.id, name = s.name}, others = others, rejoined = false}`;

/**
 * ARGV: prefix, userId, page, connection -> JSON CallPresence when the holding page (or a new page of
 * the holding tab, `rejoined`) holds the place again after it was away or new, else nil
 */
export const keepGroupCall = `
${heldPlace}
-- Only the same tab loading a new page is a reload; another tab of the user leaves the place alone.
if held and string.match(held.page, '^(.-)/') ~= string.match(ARGV[3], '^(.-)/') then return nil end
redis.call('HSET', holders, s.id, cjson.encode({page = ARGV[3], connection = ARGV[4]}))
redis.call('ZREM', p .. ':gcall-away', id .. '|' .. s.id)
presence.rejoined = (held and held.page ~= ARGV[3]) or false
if not presence.rejoined and not (held and held.away) then return nil end
return cjson.encode(presence)
`;

/**
 * ARGV: prefix, userId, connection, deadline (epoch ms), reason -> JSON CallPresence when that connection
 * held the user's place (now away until the deadline, in the `gcall-away` sorted set), else nil
 */
export const awayFromGroupCall = `
${heldPlace}
if not held or held.connection ~= ARGV[3] then return nil end
held.away, held.due = ARGV[5], tonumber(ARGV[4])
redis.call('HSET', holders, s.id, cjson.encode(held))
redis.call('ZADD', p .. ':gcall-away', ARGV[4], id .. '|' .. s.id)
return cjson.encode(presence)
`;

/**
 * ARGV: prefix, userId, tab, deadline (epoch ms) -> 1 when the user's place, held by a page of that tab,
 * was away and now stays away until the deadline at the least (ending as "lost"), else 0
 */
export const reloadingGroupCall = `
local function run()
  ${heldPlace}
  if not held or not held.away or string.sub(held.page, 1, #ARGV[3] + 1) ~= ARGV[3] .. '/' then return nil end
  held.away, held.due = 'lost', math.max(held.due, tonumber(ARGV[4]))
  redis.call('HSET', holders, s.id, cjson.encode(held))
  redis.call('ZADD', p .. ':gcall-away', held.due, id .. '|' .. s.id)
  return 1
end
return run() or 0
`;

/** ARGV: prefix, now, limit -> JSON array of DepartedCall (group): places that stayed away past their deadline */
export const takeDepartedParticipants = `
local out = {}
for _, due in ipairs(take_due('gcall-away', ARGV[2], ARGV[3])) do
  local id, uid = due[1], due[2]
  local held = redis.call('HGET', gcall_key(id) .. ':holders', uid)
  held = held and cjson.decode(held)
  local s = held and held.away and held.due <= tonumber(ARGV[2]) and read_session(uid)
  if s and s.groupCallId == id then
    local changes = {}
    local left = leave_gcall(s, changes)
    if left then
      left.changes = changes
      table.insert(out, cjson.encode({kind = 'group', user = {id = s.id, name = s.name}, reason = held.away, left = left}))
    end
  end
end
return out
`;

/**
 * ARGV: prefix, now, grace (ms), room... -> JSON array of {callId, room, call?, changes}, one per
 * participant taken out because their holding connection was gone for the grace (lostAt in the holder)
 */
export const takeLostHolders = `
local now, grace, out = tonumber(ARGV[2]), tonumber(ARGV[3]), {}
-- One MGET for every room's call: this runs on every reaper sweep, mostly finding none.
local keys = {}
for i = 4, #ARGV do keys[#keys + 1] = p .. ':room:' .. ARGV[i] .. ':gcall' end
local calls = #keys > 0 and redis.call('MGET', unpack(keys)) or {}
for i = 1, #calls do
  local id = calls[i]
  local holders = id and gcall_key(id) .. ':holders'
  for _, uid in ipairs(id and redis.call('HKEYS', holders) or {}) do
    local held = cjson.decode(redis.call('HGET', holders, uid))
    if redis.call('SISMEMBER', p .. ':conns:' .. uid, held.connection) == 1 then
      if held.lostAt then
        held.lostAt = nil
        redis.call('HSET', holders, uid, cjson.encode(held))
      end
    elseif not held.lostAt then
      held.lostAt = now
      redis.call('HSET', holders, uid, cjson.encode(held))
    elseif held.lostAt + grace <= now then
      local s = read_session(uid)
      local changes = {}
      local left = s and s.groupCallId == id and leave_gcall(s, changes)
      if left then
        left.changes = changes
        table.insert(out, cjson.encode(left))
      end
    end
  end
end
return out
`;

/** ARGV: prefix, userId, media JSON -> JSON {callId, others} or nil when the user is in no group call */
export const setGroupCallMedia = `
local id = redis.call('HGET', session_key(ARGV[2]), 'groupCallId')
if not id then return nil end
redis.call('HSET', gcall_key(id) .. ':media', ARGV[2], ARGV[3])
local others = {}
for _, uid in ipairs(redis.call('LRANGE', gcall_key(id) .. ':order', 0, -1)) do
  if uid ~= ARGV[2] then table.insert(others, uid) end
end
return cjson.encode({callId = id, others = others})
`;

/**
 * ARGV: prefix, userId, callId, raised at (epoch ms; 0 lowers) -> JSON call with its version bumped, or
 * nil when the user is not a participant of callId
 */
export const setGroupCallHand = `
if redis.call('HGET', session_key(ARGV[2]), 'groupCallId') ~= ARGV[3] then return nil end
local key = gcall_key(ARGV[3])
if ARGV[4] == '0' then
  redis.call('HDEL', key .. ':hands', ARGV[2])
else
  redis.call('HSETNX', key .. ':hands', ARGV[2], ARGV[4])
end
redis.call('HINCRBY', key, 'version', 1)
return cjson.encode(read_gcall(ARGV[3]))
`;

/** ARGV: prefix, userId, callId -> JSON array of the other participants' ids, or nil when not one of them */
export const groupCallOthers = `
if redis.call('HGET', session_key(ARGV[2]), 'groupCallId') ~= ARGV[3] then return nil end
local others = {}
for _, uid in ipairs(redis.call('LRANGE', gcall_key(ARGV[3]) .. ':order', 0, -1)) do
  if uid ~= ARGV[2] then table.insert(others, uid) end
end
return cjson.encode(others)
`;

/** ARGV: prefix, userId -> JSON {callId, room, call?, changes} or nil when not in a call */
export const leaveGroupCall = `
local s = read_session(ARGV[2])
if not s or not s.groupCallId then return nil end
${takeOut}
`;

/**
 * ARGV: prefix, inviterId, inviteeId, deadline (epoch ms)
 * -> JSON {ok, call, inviter} | {ok = false, code} | {ok = false, code = 'partner_busy', partnerName}
 */
export const inviteToGroupCall = `
local me = read_session(ARGV[2])
if not me or not me.groupCallId then return cjson.encode({ok = false, code = 'no_call'}) end
local other = read_session(ARGV[3])
if not other or other.id == me.id or not other.entered or other.room ~= me.room then
  return cjson.encode({ok = false, code = 'partner_unavailable'})
end
if other.chatId or other.groupCallId then
  return cjson.encode({ok = false, code = 'partner_busy', partnerName = other.name})
end
local id = me.groupCallId
redis.call('HSET', gcall_key(id) .. ':invites', other.id, me.id)
redis.call('ZADD', p .. ':invites', ARGV[4], id .. '|' .. other.id)
return cjson.encode({ok = true, call = read_gcall(id), inviter = {id = me.id, name = me.name}})
`;

/** ARGV: prefix, inviteeId, callId -> JSON {callId, inviterId, invitee} or nil when there was no such invitation */
export const declineGroupInvite = `
local inviter = redis.call('HGET', gcall_key(ARGV[3]) .. ':invites', ARGV[2])
if not inviter then return nil end
redis.call('HDEL', gcall_key(ARGV[3]) .. ':invites', ARGV[2])
redis.call('ZREM', p .. ':invites', ARGV[3] .. '|' .. ARGV[2])
local name = redis.call('HGET', session_key(ARGV[2]), 'name') or ''
return cjson.encode({callId = ARGV[3], inviterId = inviter, invitee = {id = ARGV[2], name = name}})
`;

/** ARGV: prefix, now, limit -> JSON array of {callId, inviterId, invitee} whose invitation expired unanswered */
export const takeMissedInvites = `
local out = {}
for _, due in ipairs(take_due('invites', ARGV[2], ARGV[3])) do
  local callId, invitee = due[1], due[2]
  local inviter = redis.call('HGET', gcall_key(callId) .. ':invites', invitee)
  if inviter then
    redis.call('HDEL', gcall_key(callId) .. ':invites', invitee)
    local name = redis.call('HGET', session_key(invitee), 'name') or ''
    table.insert(out, cjson.encode({callId = callId, inviterId = inviter, invitee = {id = invitee, name = name}}))
  end
end
return out
`;

/** ARGV: prefix, userId, callId, peerId -> 1 when both are participants of callId, else 0 */
export const groupCallPeers = `
local mine = redis.call('HGET', session_key(ARGV[2]), 'groupCallId')
if mine ~= ARGV[3] or ARGV[2] == ARGV[4] then return 0 end
if redis.call('HGET', session_key(ARGV[4]), 'groupCallId') ~= ARGV[3] then return 0 end
return 1
`;

/** ARGV: prefix, room -> JSON call or nil */
export const groupCallOf = `
local id = redis.call('GET', p .. ':room:' .. ARGV[2] .. ':gcall')
if not id then return nil end
local call = read_gcall(id)
if not call then return nil end
return cjson.encode(call)
`;
