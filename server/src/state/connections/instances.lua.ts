// Lua scripts of the Redis Store for instance liveness: heartbeats of instance runs (incarnations)
// and the takeover of runs that went silent or were replaced by a restart under the same id.

/**
 * ARGV: prefix, instanceKey ("<id>#<incarnation>"), now, graceMs
 * -> JSON {added, predecessors, changes}: a newly registered run takes over every other run of its id.
 */
export const heartbeat = `
local key, now, grace = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local added = redis.call('HSET', p .. ':instances', key, now)
local predecessors, changes = {}, {}
if added == 1 then
  local id = string.match(key, '^([^#]*)')
  local registry = redis.call('HGETALL', p .. ':instances')
  for i = 1, #registry, 2 do
    local other = registry[i]
    if other ~= key and string.match(other, '^([^#]*)') == id then
      take_over(other, tonumber(registry[i + 1]) + grace, changes)
      table.insert(predecessors, other)
    end
  end
end
return cjson.encode({added = added == 1, predecessors = predecessors, changes = changes})
`;

/** ARGV: prefix, now, ttlMs, graceMs -> JSON {instances: the dead runs this call took over, changes} */
export const takeOverDeadInstances = `
local now, ttl, grace = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local registry = redis.call('HGETALL', p .. ':instances')
local dead, changes = {}, {}
for i = 1, #registry, 2 do
  local instance, seen = registry[i], tonumber(registry[i + 1])
  if seen < now - ttl then
    take_over(instance, seen + grace, changes)
    table.insert(dead, instance)
  end
end
return cjson.encode({instances = dead, changes = changes})
`;

/**
 * ARGV: prefix, instanceKey, graceDeadline -> JSON {changes}: the run leaves the registry, and any
 * connection of it still in the Store (a detach that never landed) is dropped as in a takeover.
 */
export const retireInstance = `
local changes = {}
take_over(ARGV[2], tonumber(ARGV[3]), changes)
return cjson.encode({changes = changes})
`;
