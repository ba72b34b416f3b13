// classifyRedisReply: the one place a Redis error reply decides retry, EVAL re-send or dead
// letter. Table-driven from the replies Redis 7 sends.
import { describe, expect, it } from 'vitest';
import { classifyRedisReply } from '../../src/core/sinks/redis-reply-errors.ts';

describe('classifyRedisReply', () => {
  it.each([
    ["OOM command not allowed when used memory > 'maxmemory'.", 'retriable'],
    ["READONLY You can't write against a read only replica.", 'retriable'],
    ['LOADING Redis is loading the dataset in memory', 'retriable'],
    [
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      'retriable',
    ],
    ['TRYAGAIN Multiple keys request during rehashing of slot', 'retriable'],
    ['CLUSTERDOWN The cluster is down', 'retriable'],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.', 'retriable'],
    [
      'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
      'retriable',
    ],
    ['NOREPLICAS Not enough good replicas to write.', 'retriable'],
    ['NOSCRIPT No matching script. Please use EVAL.', 'noscript'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'permanent'],
    ['BUSYKEY Target key name already exists.', 'permanent'],
    ['ERR Error running script (call to f_x): @user_script:1: bad argument', 'permanent'],
    ['OOMish is not a prefix of its own', 'permanent'],
  ])('%s -> %s', (reply, kind) => {
    expect(classifyRedisReply(reply)).toBe(kind);
  });
});
