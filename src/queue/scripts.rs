//! The queue's Lua scripts. Each runs atomically on the Redis server, so a node that dies
//! between two steps of one script cannot leave a half-done state behind (a seeded guard with
//! no batches, a batch taken but not recorded, results written but not acknowledged).

/// Seeds the queue once. KEYS: init, stream, meta. ARGV: consumer, ttl (s), group, batch JSON….
/// Returns 1 if this call seeded it, 0 if it was already seeded.
pub(crate) const SEED: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM')
for i = 4, #ARGV do
  redis.call('XADD', KEYS[2], '*', 'batch', ARGV[i])
end
redis.call('HSET', KEYS[3], 'batches', #ARGV - 3, 'seeded_by', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
";

/// Takes one batch: first one whose lease lapsed (its node stopped heartbeating; never this
/// consumer's own), else the next one never delivered. KEYS: stream, taken list, takers set.
/// ARGV: group, consumer, lease (ms), ttl (s), node index, max deliveries.
/// Returns {} (nothing to take now) or {kind, entry id, batch JSON, deliveries, previous owner}
/// with kind `new`, `reclaimed` or `poisoned` (delivered more than max deliveries: not recorded
/// as taken; the caller fails it).
pub(crate) const TAKE: &str = r"
local kind, id, fields, deliveries, owner
local idle = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], '-', '+', 100)
local lapsed = nil
for _, entry in ipairs(idle) do
  -- Never its own: a batch this consumer holds is running here, only its heartbeat was late.
  if entry[2] ~= ARGV[2] then lapsed = entry break end
end
if lapsed then
  id = lapsed[1]
  owner = lapsed[2]
  local got = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], id)
  if #got == 0 or not got[1] then return {} end
  fields = got[1][2]
  deliveries = lapsed[4] + 1
  kind = 'reclaimed'
else
  local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
  if not read or #read == 0 or #read[1][2] == 0 then return {} end
  local entry = read[1][2][1]
  id = entry[1]
  fields = entry[2]
  deliveries = 1
  owner = ''
  kind = 'new'
end
if deliveries > tonumber(ARGV[6]) then
  kind = 'poisoned'
else
  redis.call('RPUSH', KEYS[2], id)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  redis.call('SADD', KEYS[3], ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
end
local batch = ''
for i = 1, #fields, 2 do
  if fields[i] == 'batch' then batch = fields[i + 1] end
end
return {kind, id, batch, tostring(deliveries), owner}
";

/// Renews this consumer's leases: resets the idle time of each entry it still owns, without
/// counting a delivery (`XCLAIM … JUSTID`). KEYS: stream. ARGV: group, consumer, entry ids….
/// Returns the ids it no longer owns (another node reclaimed them, or they were acknowledged).
pub(crate) const HEARTBEAT: &str = r"
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p > 0 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
";

/// Writes a batch's result, then acknowledges it. KEYS: stream, results. ARGV: group, entry id,
/// result field, result JSON, ttl (s). Returns 1 if this result counts (the first for the field).
pub(crate) const COMPLETE: &str = r"
local won = redis.call('HSETNX', KEYS[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return won
";
