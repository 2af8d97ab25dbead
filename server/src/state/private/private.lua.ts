// Lua scripts of the Redis Store for private chats and their 1:1 calls.
import { PRIVATE_HISTORY_LIMIT } from "../types.js";

/** ARGV: prefix, userId, partnerId, new chat id -> JSON OpenPrivateChatResult */
export const openPrivateChat = `
local me = read_session(ARGV[2])
if not me then return cjson.encode({ok = false, code = 'session_unknown'}) end
local other = read_session(ARGV[3])
if not other or other.id == me.id or not other.entered or other.room ~= me.room then
  return cjson.encode({ok = false, code = 'partner_unavailable'})
end
if me.chatId or me.groupCallId then return cjson.encode({ok = false, code = 'already_in_chat'}) end
if other.chatId or other.groupCallId then
  return cjson.encode({ok = false, code = 'partner_busy', partnerName = other.name})
end
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
local closed = close_chat(ARGV[2])
if not closed then return nil end
return cjson.encode(closed)
`;

/**
 * ARGV: prefix, userId, text, at (epoch ms), history limit, history ms, id replied to ('' for none)
 * -> {chat JSON, stored message JSON}, or nil when the user has no session or no chat: the sender's
 * chat and partner read, and the message kept, in the one round trip before the broadcast. Messages
 * go to the pair's history (pair_key), which expires \`history ms\` after its last message; the list is
 * trimmed back to the limit once it holds twice that, and read from its end.
 */
export const postPrivateMessage = `
local f = redis.call('HMGET', session_key(ARGV[2]), 'chatId', 'name')
if not f[1] then return nil end
local chat = read_chat(f[1])
if not chat then return nil end
local pair = pair_key(chat.a.id, chat.b.id)
local message = {chatId = chat.id, from = {id = ARGV[2], name = f[2]}, text = ARGV[3], at = tonumber(ARGV[4])}
local body = with_quote(cjson.encode(message), pair .. ':messages', ARGV[7], ARGV[5])
local id = redis.call('INCR', pair .. ':seq')
local json = '{"id":' .. id .. ',' .. string.sub(body, 2)
local limit = tonumber(ARGV[5])
local messages = pair .. ':messages'
if redis.call('RPUSH', messages, json) >= 2 * limit then redis.call('LTRIM', messages, -limit, -1) end
redis.call('PEXPIRE', messages, ARGV[6])
redis.call('PEXPIRE', pair .. ':seq', ARGV[6])
return {cjson.encode(chat), json}
`;

/**
 * ARGV: prefix, chatId, message JSON without its id, history limit, history ms -> the stored message
 * JSON, or nil (kept in the pair's history, as postPrivateMessage)
 */
export const appendPrivateMessage = `
local chat = read_chat(ARGV[2])
if not chat then return nil end
local pair = pair_key(chat.a.id, chat.b.id)
local id = redis.call('INCR', pair .. ':seq')
local json = '{"id":' .. id .. ',' .. string.sub(ARGV[3], 2)
redis.call('RPUSH', pair .. ':messages', json)
redis.call('LTRIM', pair .. ':messages', -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', pair .. ':messages', ARGV[5])
redis.call('PEXPIRE', pair .. ':seq', ARGV[5])
return json
`;

/** ARGV: prefix, chatId, history limit -> the pair's last messages (JSON), or none when the chat is closed */
export const privateHistory = `
local chat = read_chat(ARGV[2])
if not chat then return {} end
return redis.call('LRANGE', pair_key(chat.a.id, chat.b.id) .. ':messages', -tonumber(ARGV[3]), -1)
`;

/**
 * ARGV: prefix, userId, message id, kind, arg, extra, want, max users (see change_message in the prelude) -> {chat JSON,
 * changed message JSON}, or {code}: the message is looked for in the pair history of the user's chat.
 */
export const changePrivateMessage = `
local f = redis.call('HMGET', session_key(ARGV[2]), 'chatId', 'name')
local chat = f[1] and read_chat(f[1])
if not chat then return {'no_private_chat'} end
local pair = pair_key(chat.a.id, chat.b.id)
local changed = change_message(pair .. ':messages', ${PRIVATE_HISTORY_LIMIT}, {id = ARGV[2], name = f[2]}, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
if type(changed) == 'table' then return changed end
return {cjson.encode(chat), changed}
`;

/** ARGV: prefix, chatId, callerId, new call id, ring deadline (epoch ms) -> JSON StartCallResult */
export const startCall = `
local chat = read_chat(ARGV[2])
if not chat then return cjson.encode({ok = false, code = 'no_private_chat'}) end
if chat.call then return cjson.encode({ok = false, code = 'call_exists'}) end
redis.call('HSET', chat_key(chat.id), 'callId', ARGV[4], 'callerId', ARGV[3], 'callState', 'ringing')
redis.call('ZADD', p .. ':rings', ARGV[5], chat.id)
return cjson.encode({ok = true, call = {id = ARGV[4], callerId = ARGV[3], state = 'ringing'}})
`;

/** ARGV: prefix, now, limit -> JSON array of {chat, callId} for calls that rang past their deadline */
export const takeMissedCalls = `
local ids = redis.call('ZRANGEBYSCORE', p .. ':rings', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', p .. ':rings', id)
  local chat = read_chat(id)
  if chat and chat.call and chat.call.state == 'ringing' then
    redis.call('HDEL', chat_key(id), 'callId', 'callerId', 'callState')
    local callId, callerId = chat.call.id, chat.call.callerId
    chat.call = nil
    table.insert(out, cjson.encode({chat = chat, callId = callId, callerId = callerId}))
  end
end
return out
`;

/** ARGV: prefix, chatId, calleeId, callId, '1' accept | '0' decline -> JSON call or nil */
export const answerCall = `
local chat = read_chat(ARGV[2])
if not chat or not chat.call or chat.call.id ~= ARGV[4] or chat.call.state ~= 'ringing' then return nil end
if chat.call.callerId == ARGV[3] or (chat.a.id ~= ARGV[3] and chat.b.id ~= ARGV[3]) then return nil end
redis.call('ZREM', p .. ':rings', chat.id)
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
redis.call('ZREM', p .. ':rings', chat.id)
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

/** ARGV: prefix, userId, callId, page, connection -> 1 held, 0 when callId is not the user's chat's call */
export const holdCall = `
local chatId = redis.call('HGET', session_key(ARGV[2]), 'chatId')
if not chatId or redis.call('HGET', chat_key(chatId), 'callId') ~= ARGV[3] then return 0 end
local holder = cjson.encode({callId = ARGV[3], page = ARGV[4], connection = ARGV[5]})
redis.call('HSET', chat_key(chatId), 'hold:' .. ARGV[2], holder)
return 1
`;

/** Script lines: `chat`, `field` and `held` (decoded, or false) of user ARGV[2]'s side of their chat's call, if any. */
const heldSide = `
local chatId = redis.call('HGET', session_key(ARGV[2]), 'chatId')
local chat = chatId and read_chat(chatId)
if not chat or not chat.call then return nil end
local field = 'hold:' .. ARGV[2]
local held = redis.call('HGET', chat_key(chat.id), field)
held = held and cjson.decode(held)
if not held or held.callId ~= chat.call.id then return nil end
local me, partner = chat.a, chat.b
if chat.b.id == ARGV[2] then me, partner = chat.b, chat.a end
local presence = {kind = 'private', callId = chat.call.id, user = me, others = {partner.id}, rejoined = false}`;

/**
 * ARGV: prefix, userId, page, connection -> JSON CallPresence when the holding page (or a new page of the
 * holding tab, `rejoined`) holds the user's side again after it was away or new, else nil (holds live
 * in the chat's hash as hold:<user> = JSON {callId, page, connection, away?, due?}, and go with it)
 */
export const keepCall = `
${heldSide}
-- Only the same tab loading a new page is a reload; another tab of the user leaves the call alone.
if string.match(held.page, '^(.-)/') ~= string.match(ARGV[3], '^(.-)/') then return nil end
presence.rejoined = held.page ~= ARGV[3]
local away = held.away
redis.call('HSET', chat_key(chat.id), field, cjson.encode({callId = held.callId, page = ARGV[3], connection = ARGV[4]}))
redis.call('ZREM', p .. ':call-away', chat.id .. '|' .. ARGV[2])
if not presence.rejoined and not away then return nil end
return cjson.encode(presence)
`;

/**
 * ARGV: prefix, userId, connection, deadline (epoch ms), reason -> JSON CallPresence when that connection
 * held the user's side (now away until the deadline, in the `call-away` sorted set), else nil
 */
export const awayFromCall = `
${heldSide}
if held.connection ~= ARGV[3] then return nil end
held.away, held.due = ARGV[5], tonumber(ARGV[4])
redis.call('HSET', chat_key(chat.id), field, cjson.encode(held))
redis.call('ZADD', p .. ':call-away', ARGV[4], chat.id .. '|' .. ARGV[2])
return cjson.encode(presence)
`;

/**
 * ARGV: prefix, userId, callId, raised ('1' | '0'), at (epoch ms) -> JSON {chat, hands} when callId is
 * the user's chat's active call, else nil. The hands live in the chat's hash as callHands = JSON
 * {callId, hands}, read only while that call is the chat's (read_chat), so a call's end needs no clean-up.
 */
export const setCallHand = `
local chatId = redis.call('HGET', session_key(ARGV[2]), 'chatId')
local chat = chatId and read_chat(chatId)
if not chat or not chat.call or chat.call.id ~= ARGV[3] or chat.call.state ~= 'active' then return nil end
local hands = chat.call.hands or {}
if ARGV[4] == '1' then hands[ARGV[2]] = hands[ARGV[2]] or tonumber(ARGV[5]) else hands[ARGV[2]] = nil end
redis.call('HSET', chat_key(chat.id), 'callHands', cjson.encode({callId = chat.call.id, hands = hands}))
chat.call.hands = next(hands) and hands or nil
return cjson.encode({chat = chat, hands = hands})
`;

/**
 * ARGV: prefix, userId, tab, deadline (epoch ms) -> 1 when the user's side, held by a page of that tab,
 * was away and now stays away until the deadline at the least (ending as "lost"), else 0
 */
export const reloadingCall = `
local function run()
  ${heldSide}
  if not held.away or string.sub(held.page, 1, #ARGV[3] + 1) ~= ARGV[3] .. '/' then return nil end
  held.away, held.due = 'lost', math.max(held.due, tonumber(ARGV[4]))
  redis.call('HSET', chat_key(chat.id), field, cjson.encode(held))
  redis.call('ZADD', p .. ':call-away', held.due, chat.id .. '|' .. ARGV[2])
  return 1
end
return run() or 0
`;

/** ARGV: prefix, now, limit -> JSON array of DepartedCall (private): calls a side stayed away from past its deadline */
export const takeDepartedCalls = `
local out = {}
for _, due in ipairs(take_due('call-away', ARGV[2], ARGV[3])) do
  local chatId, uid = due[1], due[2]
  local chat = read_chat(chatId)
  local held = chat and chat.call and redis.call('HGET', chat_key(chatId), 'hold:' .. uid)
  held = held and cjson.decode(held)
  if held and held.callId == chat.call.id and held.away and held.due <= tonumber(ARGV[2]) then
    redis.call('HDEL', chat_key(chatId), 'callId', 'callerId', 'callState')
    redis.call('ZREM', p .. ':rings', chatId)
    local callId = chat.call.id
    chat.call = nil
    local user = chat.a
    if chat.b.id == uid then user = chat.b end
    table.insert(out, cjson.encode({kind = 'private', user = user, reason = held.away, chat = chat, callId = callId}))
  end
end
return out
`;
