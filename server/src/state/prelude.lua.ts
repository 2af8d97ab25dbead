// Helpers shared by every Lua script of the Redis Store, prepended to each script's body.
// Keys are built inside the scripts from the prefix (ARGV[1]); this targets one Redis, not Redis Cluster.
export const prelude = `
local p = ARGV[1]
local function session_key(id) return p .. ':session:' .. id end
local function chat_key(id) return p .. ':chat:' .. id end
local function gcall_key(id) return p .. ':gcall:' .. id end
-- The one fixed-window counter of the Redis Store (budgets: limit-families.ts; the memory Store's twin
-- is \`charge\` in memory-records.ts): charges one point to the window at \`key\`; nil while within
-- \`points\` per \`window_ms\`, else the ms until the window ends.
local function charge_window(key, points, window_ms)
  local used = redis.call('INCR', key)
  if used == 1 then redis.call('PEXPIRE', key, window_ms) end
  if used > tonumber(points) then return redis.call('PTTL', key) end
  return nil
end
-- A session's entry in its room's member list.
local function member_of(s)
  -- One conversation at a time: a private chat or the room's group call makes a member busy.
  local inCall = nil
  if s.groupCallId then inCall = true end
  return {id = s.id, name = s.name, status = s.status, busy = s.chatId ~= nil or s.groupCallId ~= nil, inCall = inCall}
end
-- Adds or refreshes a member from its session; returns the change with the room's new version.
local function put_member(room, s)
  local member = member_of(s)
  redis.call('HSET', p .. ':room:' .. room .. ':members', s.id, cjson.encode(member))
  return {room = room, version = redis.call('INCR', p .. ':room:' .. room .. ':version'), member = member}
end
-- Takes session s out of room's member list. The entry is what member_of(s) gives (every change of s
-- that the room sees rewrites it), so it is not read back first.
local function remove_member(room, s)
  if redis.call('HDEL', p .. ':room:' .. room .. ':members', s.id) == 0 then return nil end
  return {room = room, version = redis.call('INCR', p .. ':room:' .. room .. ':version'), member = member_of(s)}
end
local function read_session(id)
  local f = redis.call('HMGET', session_key(id), 'name', 'room', 'status', 'entered', 'nameKey', 'tokenDigest',
    'chatId', 'roomSeq', 'chosen', 'groupCallId')
  if not f[1] then return nil end
  return {id = id, name = f[1], room = f[2], status = f[3], entered = f[4] == '1', nameKey = f[5], tokenDigest = f[6],
    chatId = f[7] or nil, roomSeq = tonumber(f[8] or '0'), chosen = f[9] or f[3], groupCallId = f[10] or nil}
end
local function public(s)
  return {id = s.id, name = s.name, room = s.room, status = s.status, chosen = s.chosen, entered = s.entered,
    chatId = s.chatId, nameKey = s.nameKey, roomSeq = s.roomSeq, groupCallId = s.groupCallId}
end
-- A group call as the room sees it: participants in the order they joined, names from their sessions.
local function read_gcall(id)
  local f = redis.call('HMGET', gcall_key(id), 'room', 'version', 'max')
  if not f[1] then return nil end
  local participants = {}
  for _, uid in ipairs(redis.call('LRANGE', gcall_key(id) .. ':order', 0, -1)) do
    table.insert(participants, {id = uid, name = redis.call('HGET', session_key(uid), 'name') or ''})
  end
  local media, told = {}, redis.call('HGETALL', gcall_key(id) .. ':media')
  for i = 1, #told, 2 do media[told[i]] = cjson.decode(told[i + 1]) end
  return {id = id, room = f[1], version = tonumber(f[2]), participants = participants, max = tonumber(f[3]),
    media = media}
end
-- The room a connection enters, read in the step that put it there: version, member JSONs, history
-- JSONs, group call JSON (or false). \`version\`: the one the step just wrote, if any (not read back).
local function room_view(room, version)
  local key = p .. ':room:' .. room
  local callId = redis.call('GET', key .. ':gcall')
  local call = callId and read_gcall(callId)
  return version or tonumber(redis.call('GET', key .. ':version') or '0'), redis.call('HVALS', key .. ':members'),
    redis.call('LRANGE', key .. ':history', 0, -1), call and cjson.encode(call) or false
end
-- What the room sees: absent while every tab of a session that chose online is idle or hidden.
local function effective_status(s)
  if s.chosen ~= 'online' then return s.chosen end
  local conns = p .. ':conns:' .. s.id
  local n = redis.call('SCARD', conns)
  if n > 0 and #redis.call('SINTER', conns, p .. ':idle:' .. s.id) == n then return 'absent' end
  return 'online'
end
-- Re-announces a member whose own fields changed, if they are in their room.
local function refresh_member(s, changes)
  if s.entered and redis.call('HEXISTS', p .. ':room:' .. s.room .. ':members', s.id) == 1 then
    table.insert(changes, put_member(s.room, s))
  end
end
-- Recomputes the status from the choice and the tabs; returns the member change when it differs.
local function refresh_status(s)
  local status = effective_status(s)
  if status == s.status then return nil end
  s.status = status
  redis.call('HSET', session_key(s.id), 'status', status)
  local changes = {}
  refresh_member(s, changes)
  return changes[1]
end
-- Gives a room message the room's next id, keeps the last \`limit\`, returns the stored JSON. A room's
-- first id is seeded from the clock (\`now\`), so ids keep increasing even after Redis lost its data:
-- tabs that stayed connected merge by id and would drop reused ones.
local function append_room_message(room, json_without_id, limit, now)
  local seq = p .. ':room:' .. room .. ':seq'
  if redis.call('EXISTS', seq) == 0 then redis.call('SET', seq, now) end
  local id = redis.call('INCR', seq)
  local json = '{"id":' .. id .. ',' .. string.sub(json_without_id, 2)
  local history = p .. ':room:' .. room .. ':history'
  redis.call('RPUSH', history, json)
  redis.call('LTRIM', history, -limit, -1)
  return json
end
local function read_chat(id)
  local f = redis.call('HMGET', chat_key(id), 'aId', 'aName', 'bId', 'bName', 'callId', 'callerId', 'callState')
  if not f[1] then return nil end
  local chat = {id = id, a = {id = f[1], name = f[2]}, b = {id = f[3], name = f[4]}}
  if f[5] then chat.call = {id = f[5], callerId = f[6], state = f[7]} end
  return chat
end
-- Ends the chat (and its call) for both partners; returns {chat, changes} or nil.
local function close_chat(id)
  local chat = read_chat(id)
  if not chat then return nil end
  redis.call('DEL', chat_key(chat.id), chat_key(chat.id) .. ':messages', chat_key(chat.id) .. ':seq')
  redis.call('ZREM', p .. ':rings', chat.id)
  local changes = {}
  for _, side in ipairs({chat.a, chat.b}) do
    local s = read_session(side.id)
    if s and s.chatId == chat.id then
      redis.call('HDEL', session_key(s.id), 'chatId')
      s.chatId = nil
      refresh_member(s, changes)
    end
  end
  return {chat = chat, changes = changes}
end
-- Connection ids are "<instance key>/<socket>"; ids without a slash belong to no instance.
local function instance_of(conn)
  local slash = string.find(conn, '/', 1, true)
  if not slash then return nil end
  return string.sub(conn, 1, slash - 1)
end
local function conns_of(id, instance)
  local found = {}
  for _, conn in ipairs(redis.call('SMEMBERS', p .. ':conns:' .. id)) do
    if instance_of(conn) == instance then table.insert(found, conn) end
  end
  return found
end
-- Attaches a connection to a live session unless it has max connections already; enters its room if new.
local function attach(s, conn, max)
  local conns = p .. ':conns:' .. s.id
  local added = redis.call('SADD', conns, conn) == 1
  local status
  if added then
    local count = redis.call('SCARD', conns)
    if count > max then
      redis.call('SREM', conns, conn)
      return {ok = false, code = 'too_many_connections'}
    end
    -- Only a session without connections is in its grace period.
    if count == 1 then redis.call('ZREM', p .. ':grace', s.id) end
    local instance = instance_of(conn)
    if instance then redis.call('SADD', p .. ':inst:' .. instance .. ':sessions', s.id) end
    -- A new tab is active, so the session shows what it chose: nothing to read from its other tabs.
    status = s.chosen
  else
    status = effective_status(s)
  end
  local resumed = s.entered
  local entered, updated = nil, nil
  if s.entered then
    -- A new, active tab may bring an automatically absent member back.
    if status ~= s.status then
      s.status = status
      redis.call('HSET', session_key(s.id), 'status', status)
      local changes = {}
      refresh_member(s, changes)
      updated = changes[1]
    end
  else
    s.status = status
    redis.call('HSET', session_key(s.id), 'entered', '1', 'status', status)
    s.entered = true
    entered = put_member(s.room, s)
  end
  return {ok = true, session = public(s), resumed = resumed, entered = entered, updated = updated}
end
-- Puts the session in group call id (already counted there); returns {ok, call, changes} with its busy change.
local function enter_gcall(s, id)
  redis.call('HSET', session_key(s.id), 'groupCallId', id)
  s.groupCallId = id
  local changes = {}
  refresh_member(s, changes)
  return {ok = true, call = read_gcall(id), changes = changes}
end
-- Takes the session out of its group call; the call ends with its last participant. Returns
-- {callId, room, call?} (no call once it ended), adding the member's busy change to changes.
local function leave_gcall(s, changes)
  local id = s.groupCallId
  if not id then return nil end
  local key = gcall_key(id)
  redis.call('LREM', key .. ':order', 0, s.id)
  redis.call('HDEL', key .. ':holders', s.id)
  redis.call('HDEL', key .. ':media', s.id)
  redis.call('HDEL', session_key(s.id), 'groupCallId')
  s.groupCallId = nil
  refresh_member(s, changes)
  local room = redis.call('HGET', key, 'room')
  if not room then return nil end
  redis.call('HINCRBY', key, 'version', 1)
  if redis.call('LLEN', key .. ':order') > 0 then return {callId = id, room = room, call = read_gcall(id)} end
  for _, invitee in ipairs(redis.call('HKEYS', key .. ':invites')) do
    redis.call('ZREM', p .. ':invites', id .. '|' .. invitee)
  end
  redis.call('DEL', key, key .. ':order', key .. ':invites', key .. ':holders', key .. ':media')
  if redis.call('GET', p .. ':room:' .. room .. ':gcall') == id then redis.call('DEL', p .. ':room:' .. room .. ':gcall') end
  return {callId = id, room = room}
end
-- Ends session id: leaves its room and group call, releases its name (and so its token), and detaches its
-- connections (returned, so that their instances need not detach them again).
local function end_session(id)
  local s = read_session(id)
  if not s then return nil end
  local leftCall = leave_gcall(s, {})
  local nameKey = p .. ':name:' .. s.nameKey
  if redis.call('GET', nameKey) == id then redis.call('DEL', nameKey) end
  local conns = redis.call('SMEMBERS', p .. ':conns:' .. id)
  local served = {}
  for _, conn in ipairs(conns) do
    local instance = instance_of(conn)
    if instance and not served[instance] then
      served[instance] = true
      redis.call('SREM', p .. ':inst:' .. instance .. ':sessions', id)
    end
  end
  redis.call('DEL', session_key(id), p .. ':conns:' .. id, p .. ':idle:' .. id)
  -- Only a session without connections is in its grace period.
  if #conns == 0 then redis.call('ZREM', p .. ':grace', id) end
  local left = nil
  if s.entered then left = remove_member(s.room, s) end
  return {session = public(s), left = left, leftCall = leftCall, connections = conns}
end
-- Drops a dead instance run's connections; sessions left with none expire at deadline (or earlier),
-- the others get their status derived again from the tabs they keep (changes appended to changes).
local function take_over(instance, deadline, changes)
  redis.call('HDEL', p .. ':instances', instance)
  local served = p .. ':inst:' .. instance .. ':sessions'
  for _, id in ipairs(redis.call('SMEMBERS', served)) do
    local conns = p .. ':conns:' .. id
    for _, conn in ipairs(conns_of(id, instance)) do
      redis.call('SREM', conns, conn)
      redis.call('SREM', p .. ':idle:' .. id, conn)
    end
    if redis.call('EXISTS', session_key(id)) == 1 and redis.call('SCARD', conns) == 0 then
      -- LT: a session already in its grace period keeps the earlier deadline.
      redis.call('ZADD', p .. ':grace', 'LT', deadline, id)
    else
      local s = read_session(id)
      local changed = s and refresh_status(s)
      if changed then table.insert(changes, changed) end
    end
  end
  redis.call('DEL', served)
end
`;
