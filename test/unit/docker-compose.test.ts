// docker-compose.yml cannot run here (no Docker engine), so it is validated statically with
// Debian's docker-compose, and held to the same ports and topics as `featureflow up`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_STACK_DEFAULTS } from '../../src/config/environment.ts';

const COMPOSE_FILE = new URL('../../docker-compose.yml', import.meta.url).pathname;

function compose(...args: string[]): string {
  try {
    return execFileSync('docker-compose', ['-f', COMPOSE_FILE, ...args], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(
      `docker-compose ${args.join(' ')} failed: ${(error as Error).message} (install Debian's docker-compose: apt-get install docker-compose)`,
    );
  }
}

describe('docker-compose.yml', () => {
  it('is a valid compose file with the stack services', () => {
    compose('config', '-q');
    expect(compose('config', '--services').trim().split('\n').sort()).toEqual(
      [
        'flink-connectors',
        'jobmanager',
        'kafka',
        'kafka-topics',
        'redis',
        'sql-gateway',
        'taskmanager',
      ].sort(),
    );
  });

  it('publishes the local stack ports', () => {
    const resolved = compose('config');
    const redisPort = new URL(LOCAL_STACK_DEFAULTS.redisUrl).port;
    const kafkaPort = LOCAL_STACK_DEFAULTS.kafkaBrokers[0]!.split(':')[1];
    const gatewayPort = new URL(LOCAL_STACK_DEFAULTS.flinkSqlGateway).port;
    for (const port of [redisPort, kafkaPort, '8081', gatewayPort]) {
      expect(resolved, `port ${port}`).toMatch(new RegExp(`published: ["']?${port}["']?`));
    }
  });

  it('creates the topics of docs/topics.md with their .late and .dlq topics', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    expect(text).toContain(
      'for t in txn.events click.events features.transactions features.clickstream',
    );
    expect(text).toContain('for topic in "$$t" "$$t.late" "$$t.dlq"');
    expect(text).toContain('--partitions 3');
  });
});
