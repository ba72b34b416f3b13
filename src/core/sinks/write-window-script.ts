/**
 * The Lua script behind every feature write (docs/redis-layout.md): windows of one label of one job, each written
 * atomically and only if it is not older than what its entity's hash holds for that job and
 * label. Check and write run inside Redis because a client-side "read, compare, write" would let
 * two writers (a replay and the live sink) interleave and put an older window back.
 *
 * One call carries several windows (one per key) so the field names travel once per call, not
 * once per window, and Redis enters Lua once per call; that is most of the sink's throughput.
 * All keys of a call live on one Redis, and on a Redis Cluster in one hash slot (window-batch.ts
 * groups them so): each key is one entity, so each window is written atomically either way.
 *
 *   EVALSHA <sha> <k> <key_1..key_k> <start_field> <end_field> <ttl_ms> <n> <field_1..field_n>
 *           then per key: <window_start> <window_end> <value_1..value_n>
 *
 * The window fields are named by the caller (`window_end_5m`, `logins:window_end_10m`), so
 * each job's windows are compared only with its own.
 *
 * Returns one reply per key: 1 written (an equal window_end too: re-writes are idempotent), 0
 * stale (the stored window is newer), {2, stored} written over a stored window_end that is not
 * a finite number (garbage, inf, nan: it would otherwise refuse every later window, so it is
 * treated as absent and reported), or the error text for that key (WRONGTYPE, OOM...); an error
 * in one window does not stop the others.
 */
import { createHash } from 'node:crypto';

export const WRITE_WINDOW_SCRIPT = `
local start_field = ARGV[1]
local end_field = ARGV[2]
local ttl = ARGV[3]
local n = tonumber(ARGV[4])
-- One HSET argument list, reused for every window: names fixed, values overwritten.
local hset = {start_field, '', end_field, ''}
for f = 1, n do hset[3 + 2 * f] = ARGV[4 + f] end
local results = {}
local at = 5 + n
for k = 1, #KEYS do
  local key = KEYS[k]
  local window_end = ARGV[at + 1]
  local stored = redis.pcall('HGET', key, end_field)
  local stored_end = stored and tonumber(stored)
  -- nil, nan (x ~= x) and +-inf cannot be compared with a window end: treat them as absent.
  local unreadable = stored and (stored_end == nil or stored_end ~= stored_end
    or stored_end == math.huge or stored_end == -math.huge)
  if type(stored) == 'table' then
    results[k] = stored.err
  elseif stored and not unreadable and stored_end > tonumber(window_end) then
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
      if unreadable then results[k] = {2, stored} else results[k] = 1 end
    end
  end
  at = at + 2 + n
end
return results
`.trim();

/** What Redis answers to SCRIPT LOAD for this script, so EVALSHA needs no round trip first. */
export const WRITE_WINDOW_SCRIPT_SHA = createHash('sha1').update(WRITE_WINDOW_SCRIPT).digest('hex');
