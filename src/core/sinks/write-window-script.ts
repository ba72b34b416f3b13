/**
 * The Lua script behind every feature write (docs/redis-layout.md): windows of one label, each
 * written atomically and only if it is not older than what its entity's hash holds for that
 * label. Check and write run inside Redis because a client-side "read, compare, write" would let
 * two writers (a replay and the live sink) interleave and put an older window back.
 *
 * One call carries several windows (one per key) so the field names travel once per call, not
 * once per window, and Redis enters Lua once per call; that is most of the sink's throughput.
 * All keys of a call live on one Redis; the sink does not support Redis Cluster.
 *
 *   EVALSHA <sha> <k> <key_1..key_k> <label> <ttl_ms> <n> <field_1..field_n>
 *           then per key: <window_start> <window_end> <value_1..value_n>
 *
 * Returns one reply per key: 1 written (an equal window_end too: re-writes are idempotent), 0
 * stale (the stored window is newer), or the error text for that key (e.g. WRONGTYPE); an error
 * in one window does not stop the others.
 */
import { createHash } from 'node:crypto';

export const WRITE_WINDOW_SCRIPT = `
local label = ARGV[1]
local ttl = ARGV[2]
local n = tonumber(ARGV[3])
local start_field = 'window_start_' .. label
local end_field = 'window_end_' .. label
-- One HSET argument list, reused for every window: names fixed, values overwritten.
local hset = {start_field, '', end_field, ''}
for f = 1, n do hset[3 + 2 * f] = ARGV[3 + f] end
local results = {}
local at = 4 + n
for k = 1, #KEYS do
  local key = KEYS[k]
  local window_end = ARGV[at + 1]
  local stored = redis.pcall('HGET', key, end_field)
  if type(stored) == 'table' then
    results[k] = stored.err
  elseif stored and tonumber(stored) == nil then
    results[k] = 'stored ' .. end_field .. ' is not a number: ' .. stored
  elseif stored and tonumber(stored) > tonumber(window_end) then
    results[k] = 0
  else
    hset[2] = ARGV[at]
    hset[4] = window_end
    for f = 1, n do hset[4 + 2 * f] = ARGV[at + 1 + f] end
    local written = redis.pcall('HSET', key, unpack(hset))
    if type(written) == 'table' then
      results[k] = written.err
    else
      redis.call('PEXPIRE', key, ttl)
      results[k] = 1
    end
  end
  at = at + 2 + n
end
return results
`.trim();

/** What Redis answers to SCRIPT LOAD for this script, so EVALSHA needs no round trip first. */
export const WRITE_WINDOW_SCRIPT_SHA = createHash('sha1').update(WRITE_WINDOW_SCRIPT).digest('hex');
