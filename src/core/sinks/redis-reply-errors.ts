/**
 * What a Redis error reply means for a feature write, decided by its prefix in this one place:
 * - retriable: Redis cannot take writes right now (out of memory, a replica, loading, a busy
 *   script, a cluster or failover in progress) and will later; the row waits and is re-sent.
 * - noscript: the script cache is empty (restart, SCRIPT FLUSH); re-send with EVAL at once.
 * - permanent: the row can never be written as it is (WRONGTYPE: the key holds something else);
 *   it goes to the dead letter with this reason.
 */
export type RedisReplyKind = 'retriable' | 'noscript' | 'permanent';

// MISCONF (a failing RDB save with stop-writes-on-bgsave-error) and NOREPLICAS (min-replicas
// not met) also clear up without anything changing in the row.
const RETRIABLE_PREFIXES: ReadonlySet<string> = new Set([
  'OOM',
  'READONLY',
  'LOADING',
  'BUSY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'MASTERDOWN',
  'MISCONF',
  'NOREPLICAS',
]);

/** The kind of an error reply from its first word (`OOM command not allowed...` -> OOM). */
export function classifyRedisReply(message: string): RedisReplyKind {
  const space = message.indexOf(' ');
  const prefix = space < 0 ? message : message.slice(0, space);
  if (prefix === 'NOSCRIPT') return 'noscript';
  return RETRIABLE_PREFIXES.has(prefix) ? 'retriable' : 'permanent';
}
