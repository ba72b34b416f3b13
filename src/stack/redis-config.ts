/**
 * The stack's own Redis (Debian's redis-server): loopback only, in the foreground so its pid is
 * the one we started, persistence off (the online store is rebuilt from Kafka, and a dev stack
 * should not write snapshots behind the user's back).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunLayout } from './run-folder.ts';

export interface RedisFiles {
  readonly config: string;
  readonly logFile: string;
}

/** `extraLines`: settings of one kind of node (a Redis Cluster's, redis-cluster.ts). */
export function renderRedisConfig(
  port: number,
  dataDir: string,
  logFile: string,
  extraLines: readonly string[] = [],
): string {
  return [
    '# Written by `featureflow up`; edits are overwritten at the next start.',
    'bind 127.0.0.1',
    `port ${port}`,
    'daemonize no',
    `dir ${dataDir}`,
    `logfile ${logFile}`,
    'save ""',
    'appendonly no',
    ...extraLines,
    '',
  ].join('\n');
}

export function writeRedisFiles(layout: RunLayout, port: number): RedisFiles {
  const config = path.join(layout.redisDir, 'redis.conf');
  const logFile = path.join(layout.logsDir, 'redis.log');
  writeFileSync(config, renderRedisConfig(port, layout.redisDir, logFile));
  return Object.freeze({ config, logFile });
}
