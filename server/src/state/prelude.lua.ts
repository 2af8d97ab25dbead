// Helpers shared by every Lua script of the Redis Store, prepended to each script's body.
// Keys are built inside the scripts from the prefix (ARGV[1]); this targets one Redis, not Redis Cluster.
import { QUOTE_BYTES } from "@videochat/protocol/text";
import { HISTORY_LIMIT } from "./types.js";

export const prelude = `
local p = ARGV[1]
local function session_key(id) return p .. ':session:' .. id end
-- The live sessions claimed from a client address (createSession adds, end_session removes).
local function live_sessions_key(address) return p .. ':addr:' .. address end
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
-- charge_window for a budget that is usually charged once per window (a session's leave): the first
-- charge is one SET NX with the window's expiry instead of INCR then PEXPIRE; later ones add an INCR.
local function charge_window_once(key, points, window_ms)
  if tonumber(points) >= 1 and redis.call('SET', key, 1, 'PX', window_ms, 'NX') then return nil end
  return charge_window(key, points, window_ms)
end
-- A session's entry in its room's member list.
local function member_of(s)
  -- One conversation at a time: a private chat or the room's group call makes a member busy.
  local inCall = nil
  if s.groupCallId then inCall = true end
  return {id = s.id, name = s.name, status = s.status, busy = s.chatId ~= nil or s.groupCallId ~= nil, inCall = inCall}
end
-- Beside each member's entry (field: the user id, value: JSON), a room's members hash holds a field
-- '<id>|post', written by the same HSET and removed by the same HDEL: two fields per member (occupancy
-- counts HLEN / 2; readers of the entries skip it). It was the member's room-message budget, charged by
-- an HINCRBY that also checked membership; the budget is now the instance's view charged in batches
-- (chargeRoomMessages, its own key), and the field stays a fresh budget, '2097152' (a window long past,
-- nothing used), so that an instance of the previous release still posts during a rolling deploy and
-- the counts need no migration. post_budget reads that packing: (window start ms mod 2^31) * 2^21 +
-- points used, below 2^52 so exact in Lua.
local function post_field(id) return id .. '|post' end
local function post_budget(value)
  local at = math.floor(value / 2097152)
  return at, value - at * 2097152
end
-- Adds or refreshes a member from its session; returns the change with the room's new version.
-- \`budget\`: for a new member only, the string '2097152' (see post_field).
local function put_member(room, s, budget)
  local member = member_of(s)
  local key = p .. ':room:' .. room .. ':members'
  if budget then
    redis.call('HSET', key, s.id, cjson.encode(member), post_field(s.id), budget)
  else
    redis.call('HSET', key, s.id, cjson.encode(member))
  end
  return {room = room, version = redis.call('INCR', p .. ':room:' .. room .. ':version'), member = member}
end
-- Takes session s out of room's member list, with its post_field. The entry is what member_of(s) gives
-- (every change of s that the room sees rewrites it), so it is not read back first.
local function remove_member(room, s)
  local key = p .. ':room:' .. room .. ':members'
  if redis.call('HDEL', key, s.id, post_field(s.id)) == 0 then return nil end
  return {room = room, version = redis.call('INCR', p .. ':room:' .. room .. ':version'), member = member_of(s)}
end
-- A session's fields; \`budgets\` holds the windows kept in its hash (see charge_field), read here for free.
local function read_session(id)
  local f = redis.call('HMGET', session_key(id), 'name', 'room', 'status', 'entered', 'nameKey', 'tokenDigest',
    'chatId', 'roomSeq', 'chosen', 'groupCallId', 'heldUntil', 'attach', 'presence', 'address', 'crowded')
  if not f[1] then return nil end
  return {id = id, name = f[1], room = f[2], status = f[3], entered = f[4] == '1', nameKey = f[5], tokenDigest = f[6],
    chatId = f[7] or nil, roomSeq = tonumber(f[8] or '0'), chosen = f[9] or f[3], groupCallId = f[10] or nil,
    heldUntil = tonumber(f[11] or '0'), budgets = {attach = f[12], presence = f[13]}, address = f[14] or nil,
    crowded = f[15] == '1' or nil}
end
-- A fixed window kept in a field of the session's hash ("<window start ms>:<used>", the instances'
-- clocks): charges one point at \`now\` and returns the field's new value, and nil while within \`points\`
-- per \`window_ms\`, else the ms until the window ends. The caller writes the value back with its own
-- HSET, so the charge costs no command of its own.
local function charge_field(s, name, points, window_ms, now)
  now, window_ms = tonumber(now), tonumber(window_ms)
  local at, used = 0, 0
  local kept = s.budgets[name]
  if kept then
    local colon = string.find(kept, ':', 1, true)
    at, used = tonumber(string.sub(kept, 1, colon - 1)), tonumber(string.sub(kept, colon + 1))
  end
  if now >= at + window_ms or now < at - window_ms then at, used = now, 0 end
  used = used + 1
  local value = string.format('%d:%d', at, used)
  s.budgets[name] = value
  if used > tonumber(points) then return value, math.max(1, at + window_ms - now) end
  return value, nil
end
local function public(s)
  return {id = s.id, name = s.name, room = s.room, status = s.status, chosen = s.chosen, entered = s.entered,
    chatId = s.chatId, nameKey = s.nameKey, roomSeq = s.roomSeq, groupCallId = s.groupCallId, crowded = s.crowded}
end
-- A presence step's charge (setStatus and setConnectionIdle share the budget, a field of the session's
-- hash): nothing without \`points\`; else the fields for the step's own HSET, and when the budget is
-- spent the refusal (JSON) to return, with the field written already.
local function charge_presence(s, points, window_ms, now)
  if not points then return {}, nil end
  local budget, wait = charge_field(s, 'presence', points, window_ms, now)
  local fields = {'presence', budget}
  if not wait then return fields, nil end
  redis.call('HSET', session_key(s.id), unpack(fields))
  return fields, cjson.encode({session = public(s), retryAfterMs = wait})
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
  local hands, raised = {}, redis.call('HGETALL', gcall_key(id) .. ':hands')
  for i = 1, #raised, 2 do hands[raised[i]] = tonumber(raised[i + 1]) end
  return {id = id, room = f[1], version = tonumber(f[2]), participants = participants, max = tonumber(f[3]),
    media = media, hands = hands}
end
-- The room a connection enters, read in the step that put it there: version, member JSONs, history
-- JSONs, group call JSON (or false). \`version\`: the one the step just wrote, if any (not read back).
local function room_view(room, version)
  local key = p .. ':room:' .. room
  local callId = redis.call('GET', key .. ':gcall')
  local call = callId and read_gcall(callId)
  -- The members hash holds their budgets too (see post_field): only the entries (JSON) go out.
  local members = {}
  for _, value in ipairs(redis.call('HVALS', key .. ':members')) do
    if string.byte(value, 1) == 123 then table.insert(members, value) end
  end
  return version or tonumber(redis.call('GET', key .. ':version') or '0'), members,
    redis.call('LRANGE', key .. ':history', -${HISTORY_LIMIT}, -1), call and cjson.encode(call) or false
end
-- What the room sees: absent while every tab of a session that chose online is idle or hidden.
-- One command while a tab is active (the tabs not idle, usually one), two when none is; none when the
-- caller knows an active tab (\`active_tab\`: the tab making the choice, attached and not idle).
local function effective_status(s, active_tab)
  if s.chosen ~= 'online' or active_tab then return s.chosen end
  local conns = p .. ':conns:' .. s.id
  if #redis.call('SDIFF', conns, p .. ':idle:' .. s.id) > 0 then return 'online' end
  if redis.call('EXISTS', conns) == 1 then return 'absent' end
  return 'online'
end
-- Re-announces a member whose own fields changed, if they are in their room.
local function refresh_member(s, changes)
  if s.entered and redis.call('HEXISTS', p .. ':room:' .. s.room .. ':members', s.id) == 1 then
    table.insert(changes, put_member(s.room, s))
  end
end
-- Recomputes the status from the choice and the tabs; returns the member change when it differs.
-- \`fields\` (optional, {name, value, ...}): written to the session's hash in the same HSET, or alone.
local function refresh_status(s, fields)
  fields = fields or {}
  local status = effective_status(s)
  if status == s.status then
    if #fields > 0 then redis.call('HSET', session_key(s.id), unpack(fields)) end
    return nil
  end
  s.status = status
  redis.call('HSET', session_key(s.id), 'status', status, unpack(fields))
  local changes = {}
  refresh_member(s, changes)
  return changes[1]
end
-- Gives a room message the room's next id, keeps at least the last \`limit\`, returns the stored JSON. A
-- room's first id is seeded from the clock (\`now\`), so ids keep increasing even after Redis lost its
-- data: tabs that stayed connected merge by id and would drop reused ones. The hot path: 2 commands
-- (INCR, RPUSH); the list is trimmed back to \`limit\` once it holds twice that, and read from its end.
local function append_room_message(room, json_without_id, limit, now)
  local seq = p .. ':room:' .. room .. ':seq'
  local id = redis.call('INCR', seq)
  if id == 1 then
    id = tonumber(now) + 1
    redis.call('SET', seq, id)
  end
  local json = '{"id":' .. id .. ',' .. string.sub(json_without_id, 2)
  local history = p .. ':room:' .. room .. ':history'
  if redis.call('RPUSH', history, json) >= 2 * limit then redis.call('LTRIM', history, -limit, -1) end
  return json
end
local function read_chat(id)
  local f = redis.call('HMGET', chat_key(id), 'aId', 'aName', 'bId', 'bName', 'callId', 'callerId', 'callState', 'callHands')
  if not f[1] then return nil end
  local chat = {id = id, a = {id = f[1], name = f[2]}, b = {id = f[3], name = f[4]}}
  if f[5] then chat.call = {id = f[5], callerId = f[6], state = f[7]} end
  -- A call's raised hands ({callId, hands}, see setCallHand): only the current call's, only when any.
  local raised = chat.call and f[8] and cjson.decode(f[8])
  if raised and raised.callId == f[5] and next(raised.hands) then chat.call.hands = raised.hands end
  return chat
end
-- Ends the chat (and its call) for both partners; returns {chat, changes} or nil.
local function close_chat(id)
  local chat = read_chat(id)
  if not chat then return nil end
  -- The messages belong to the pair (pair_key) and outlive the chat until their expiry.
  redis.call('DEL', chat_key(chat.id))
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
-- Takes (removes) up to \`limit\` entries "<a>|<b>" of the deadline sorted set \`zset\` due at \`now\`;
-- returns them split, as {a, b} pairs, each to exactly one caller.
local function take_due(zset, now, limit)
  local taken = {}
  for _, entry in ipairs(redis.call('ZRANGEBYSCORE', p .. ':' .. zset, '-inf', now, 'LIMIT', 0, tonumber(limit))) do
    redis.call('ZREM', p .. ':' .. zset, entry)
    local bar = string.find(entry, '|', 1, true)
    table.insert(taken, {string.sub(entry, 1, bar - 1), string.sub(entry, bar + 1)})
  end
  return taken
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
-- \`fields\` (optional, {name, value, ...}): written to the session's hash in the attach's own HSET.
local function attach(s, conn, max, fields)
  fields = fields or {}
  local function write(...)
    local args = {...}
    for _, field in ipairs(fields) do table.insert(args, field) end
    fields = {}
    redis.call('HSET', session_key(s.id), unpack(args))
  end
  local conns = p .. ':conns:' .. s.id
  local added = redis.call('SADD', conns, conn) == 1
  local status
  if added then
    -- A session that never entered its room never had a tab (attach enters it): this one is its first,
    -- so it counts 1 without a read.
    local count = 1
    if s.entered then count = redis.call('SCARD', conns) end
    if count > max then
      redis.call('SREM', conns, conn)
      if #fields > 0 then redis.call('HSET', session_key(s.id), unpack(fields)) end
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
      write('status', status)
      local changes = {}
      refresh_member(s, changes)
      updated = changes[1]
    end
  else
    s.status = status
    write('entered', '1', 'status', status)
    s.entered = true
    entered = put_member(s.room, s, '2097152')
  end
  if #fields > 0 then redis.call('HSET', session_key(s.id), unpack(fields)) end
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
  redis.call('HDEL', key .. ':hands', s.id)
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
  redis.call('DEL', key, key .. ':order', key .. ':invites', key .. ':holders', key .. ':media', key .. ':hands')
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
  if s.address then redis.call('SREM', live_sessions_key(s.address), id) end
  -- Only a session without connections is in its grace period.
  if #conns == 0 then redis.call('ZREM', p .. ':grace', id) end
  local left = nil
  if s.entered then left = remove_member(s.room, s) end
  -- Its private chat ends with it, in this same step (the partner's busy flag is the only change: this
  -- session and its member entry are gone already); a second step could be lost with its instance.
  local closedChat = nil
  if s.chatId then closedChat = close_chat(s.chatId) end
  return {session = public(s), left = left, leftCall = leftCall, connections = conns, closedChat = closedChat}
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
-- A pair's private history (messages, seq), keyed by the unordered pair of user ids.
local function pair_key(a, b)
  if a > b then a, b = b, a end
  return p .. ':pair:' .. a .. ':' .. b
end
-- Messages are kept as '{"id":<id>,...}' so that one is found by its prefix without decoding the list.
local function encode_message(m)
  local id = m.id
  m.id = nil
  local json = '{"id":' .. string.format('%d', id) .. ',' .. string.sub(cjson.encode(m), 2)
  m.id = id
  return json
end
-- The first line of \`text\`, cut to QUOTE_BYTES bytes on a UTF-8 boundary (quoteLine in the protocol's text.ts).
local function first_line(text)
  local line = string.match(text, '^[^\\n]*')
  if #line <= ${QUOTE_BYTES} then return line end
  local cut = ${QUOTE_BYTES}
  while cut > 0 do
    local b = string.byte(line, cut + 1)
    if b < 128 or b >= 192 then break end
    cut = cut - 1
  end
  return string.sub(line, 1, cut)
end
-- Message \`id\` (a string) among the last \`limit\` entries of list \`key\` (the ones its history shows; the
-- list holds up to twice that before its trim, as the memory Store does not): decoded, its LSET index
-- (negative, from the end), and those entries with the negative index of each (\`at\`); nil when absent.
local function find_message(key, id, limit)
  local entries = redis.call('LRANGE', key, -tonumber(limit), -1)
  local at = function(i) return i - 1 - #entries end
  local prefix = '{"id":' .. id .. ','
  for i = #entries, 1, -1 do
    if string.sub(entries[i], 1, #prefix) == prefix then return cjson.decode(entries[i]), at(i), entries, at end
  end
  return nil
end
-- The quote a reply to message \`id\` of list \`key\` (its last \`limit\`) carries (JSON), or nil when not kept.
local function quote_of(key, id, limit)
  local m = find_message(key, id, limit)
  if not m then return nil end
  local quote = {id = m.id, from = m.from, text = first_line(m.text)}
  if m.deleted then quote.deleted = true end
  return cjson.encode(quote)
end
-- A reply's JSON without id ('{...}') with the quote of message \`reply_to\` of list \`key\` (its last
-- \`limit\`), if kept.
local function with_quote(json, key, reply_to, limit)
  if not reply_to or reply_to == '' then return json end
  local quote = quote_of(key, reply_to, limit)
  if not quote then return json end
  return string.sub(json, 1, -2) .. ',"replyTo":' .. quote .. '}'
end
-- Changes message \`id\` of list \`key\` (among its last \`limit\`) for \`actor\` ({id, name}): kind 'edit' (arg: text, extra: at),
-- 'delete', or 'react' (arg: emoji, extra: the most distinct reactions; want: '1' set, '0' take back,
-- '' toggle; max_users: the most reactor entries summed over the reactions). The stored JSON, or {code}.
-- An edit or a delete also rewrites the quotes of the message in the replies kept with it, so that a
-- deleted text is nowhere in the list (message-change.ts is the memory Store's twin). Every message it
-- rewrites gets its \`rev\` raised by one: a resume re-sends the messages that have one.
local function change_message(key, limit, actor, id, kind, arg, extra, want, max_users)
  local m, index, entries, at = find_message(key, id, limit)
  -- A delete re-sent by its author (its first ack lost in a failover) finds it done: idempotent.
  if m and m.deleted and kind == 'delete' and m.from.id == actor.id then return encode_message(m) end
  if not m or m.deleted then return {'no_message'} end
  if kind == 'react' then
    local reactions = m.reactions or {}
    local found
    local taken = 0
    for i, r in ipairs(reactions) do
      if r.emoji == arg then found = i end
      taken = taken + #r.users
    end
    local full = taken >= tonumber(max_users)
    if found then
      local users, mine = reactions[found].users, nil
      for j, u in ipairs(users) do if u.id == actor.id then mine = j end end
      if mine and want ~= '1' then table.remove(users, mine)
      elseif not mine and want ~= '0' then
        if full then return {'too_many_reactors'} end
        table.insert(users, actor)
      end
      if #users == 0 then table.remove(reactions, found) end
    elseif want ~= '0' then
      if #reactions >= tonumber(extra) then return {'too_many_reactions'} end
      if full then return {'too_many_reactors'} end
      table.insert(reactions, {emoji = arg, users = {actor}})
    end
    if #reactions == 0 then m.reactions = nil else m.reactions = reactions end
  else
    if m.call then return {'no_message'} end
    if m.from.id ~= actor.id then return {'not_author'} end
    if kind == 'edit' then
      m.text = arg
      m.editedAt = tonumber(extra)
    else
      m.text = ''
      m.deleted = true
      m.reactions, m.replyTo, m.editedAt = nil, nil, nil
    end
    for i, entry in ipairs(entries) do
      if at(i) ~= index and string.find(entry, '"replyTo"', 1, true) then
        local reply = cjson.decode(entry)
        if reply.replyTo and reply.replyTo.id == m.id then
          reply.replyTo.text = first_line(m.text)
          if m.deleted then reply.replyTo.deleted = true end
          reply.rev = (reply.rev or 0) + 1
          redis.call('LSET', key, at(i), encode_message(reply))
        end
      end
    end
  end
  m.rev = (m.rev or 0) + 1
  local json = encode_message(m)
  redis.call('LSET', key, index, json)
  return json
end
`;
