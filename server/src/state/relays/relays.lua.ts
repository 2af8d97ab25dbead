// TURN credential holders: sorted set <p>:relay:<address>, member the user id, score the epoch ms its
// credential expires; the key expires with its last holder. ARGV[1] is the prefix.

/**
 * ARGV: prefix, address, userId, until, max, now -> 0 when held, else the ms until the first live
 * holder's credential expires (`max` others hold live ones).
 */
export const holdRelay = `
local key = p .. ':relay:' .. ARGV[2]
local user, untilMs, max, now = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local mine = redis.call('ZSCORE', key, user)
if not mine and redis.call('ZCARD', key) >= max then
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(first[2]) - now)
end
if mine and tonumber(mine) > untilMs then untilMs = tonumber(mine) end
redis.call('ZADD', key, untilMs, user)
redis.call('PEXPIREAT', key, redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
return 0
`;
