// Lua scripts of the Redis Store for private chats and their 1:1 calls.

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

/** ARGV: prefix, chatId, message JSON without its id, history limit -> the stored message JSON, or nil */
export const appendPrivateMessage = `
if redis.call('EXISTS', chat_key(ARGV[2])) == 0 then return nil end
local id = redis.call('INCR', chat_key(ARGV[2]) .. ':seq')
local json = '{"id":' .. id .. ',' .. string.sub(ARGV[3], 2)
redis.call('RPUSH', chat_key(ARGV[2]) .. ':messages', json)
redis.call('LTRIM', chat_key(ARGV[2]) .. ':messages', -tonumber(ARGV[4]), -1)
return json
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

/**
 * ARGV: prefix, userId, page, connection -> JSON {chat, callId} when the call ended because the page
 * holding the user's side is gone and this is another one, else nil (holds live in the chat's hash as
 * hold:<user> = JSON {callId, page, connection}, and go with it)
 */
export const keepCall = `
local chatId = redis.call('HGET', session_key(ARGV[2]), 'chatId')
local chat = chatId and read_chat(chatId)
if not chat or not chat.call then return nil end
local field = 'hold:' .. ARGV[2]
local held = redis.call('HGET', chat_key(chat.id), field)
held = held and cjson.decode(held)
if not held or held.callId ~= chat.call.id then return nil end
if held.page == ARGV[3] then
  held.connection = ARGV[4]
  redis.call('HSET', chat_key(chat.id), field, cjson.encode(held))
  return nil
end
-- Only the same tab loading a new page is a reload; another tab of the user leaves the call alone.
if string.match(held.page, '^(.-)/') ~= string.match(ARGV[3], '^(.-)/') then return nil end
if redis.call('SISMEMBER', p .. ':conns:' .. ARGV[2], held.connection) == 1 then return nil end
redis.call('HDEL', chat_key(chat.id), 'callId', 'callerId', 'callState')
redis.call('ZREM', p .. ':rings', chat.id)
local callId = chat.call.id
chat.call = nil
return cjson.encode({chat = chat, callId = callId})
`;
