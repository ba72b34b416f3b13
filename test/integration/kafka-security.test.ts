// Kafka over SASL_SSL (docs/kafka-security.md), against the test stack's own SASL_SSL listener
// (`up --kafka-sasl-port`, its CA and user in <run dir>/kafka/sasl/client.env): produce and
// consume into Redis with PLAIN and with SCRAM-SHA-512 give what replay computes; a wrong
// password ends produce, consume and sink with a clear message and a non-zero exit; and the
// password never appears in any of their output. Every test has its own topics, group and
// Redis database.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { trackCliProcesses } from '../support/cli-process.ts';
import { generateEvents, lastEventTime } from '../support/generated-events.ts';
import { TRANSACTION_FEATURE_NAMES } from '../support/job-events.ts';
import { createTopics, uniqueName } from '../support/kafka.ts';
import {
  expectRedisHoldsNewestWindows,
  newestWindowPerEntity,
} from '../support/redis-expectations.ts';
import { replayRows } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'featureflow-kafka-security-'));
const startCli = trackCliProcesses(afterEach);

/** The listener's client settings, as `up` wrote them for users. */
const clientEnv: Record<string, string> = Object.fromEntries(
  readFileSync(join(stack.runDir, 'kafka', 'sasl', 'client.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const PASSWORD = clientEnv.KAFKA_SASL_PASSWORD!;
const WRONG_PASSWORD = `${PASSWORD.slice(0, -4)}nope`;

function secureEnv(mechanism: string, password = PASSWORD): NodeJS.ProcessEnv {
  return {
    ...stackEnv(stack),
    ...clientEnv,
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_PASSWORD: password,
  };
}

/** No output of any command may hold the password, right or wrong, raw or in part. */
function expectNoPassword(output: string): void {
  for (const secret of [PASSWORD, WRONG_PASSWORD, PASSWORD.slice(0, 12)]) {
    expect(output).not.toContain(secret);
  }
}

let nextDatabase = 11;

describe.each(['PLAIN', 'SCRAM-SHA-512'])('SASL_SSL with %s', (mechanism) => {
  it('produces and consumes into Redis what replay computes, the password never printed', async () => {
    expect(clientEnv.KAFKA_SECURITY_PROTOCOL).toBe('SASL_SSL');
    expect(clientEnv.KAFKA_BROKERS).not.toBe(stack.kafkaBrokers);
    const topic = uniqueName(`txn.events.sasl-${mechanism.toLowerCase()}`);
    await createTopics(stack.kafkaBrokers, [topic, `${topic}.late`, `${topic}.dlq`]);
    const redisUrl = `${stack.redisUrl}/${nextDatabase++}`;
    const file = await generateEvents(join(dir, `${mechanism}.ndjson`), {
      events: 1500,
      seed: 7,
    });
    const env = secureEnv(mechanism);

    const consumer = startCli(
      [
        'consume',
        '--job',
        'transactions',
        '--topic',
        topic,
        '--group',
        uniqueName('sasl-consume'),
        '--redis',
        redisUrl,
        '--status-interval',
        '2',
        '--idle-timeout',
        '5s',
      ],
      env,
    );
    const produced = await runCli(
      ['produce', '--job', 'transactions', '--input', file, '--topic', topic],
      env,
    );
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('1,500 produced');
    expectNoPassword(produced.stdout + produced.stderr);

    // The sentinel goes in over PLAINTEXT: the same broker, the same topic.
    await flushWatermarks(
      stack.kafkaBrokers,
      topic,
      'transactions',
      lastEventTime(file) + 1_200_000,
    );
    const expected = newestWindowPerEntity(
      (await replayRows('transactions', file, `${file}.replay`)).values(),
    );
    expected.delete(SENTINEL_ENTITY);
    await expectRedisHoldsNewestWindows(redisUrl, 'card', expected, TRANSACTION_FEATURE_NAMES);

    expect(await consumer.stop('SIGTERM')).toBe(0);
    expect(consumer.output()).toContain(`(SASL_SSL ${mechanism} as featureflow)`);
    expectNoPassword(consumer.output());
  });

  it('a wrong password ends produce, consume and sink with a clear message', async () => {
    const topic = uniqueName('txn.events.sasl-wrong');
    await createTopics(stack.kafkaBrokers, [topic, `${topic}.late`, `${topic}.dlq`], 1);
    const env = secureEnv(mechanism, WRONG_PASSWORD);
    const file = await generateEvents(join(dir, `wrong-${mechanism}.ndjson`), {
      events: 10,
      seed: 3,
    });

    const produced = await runCli(
      ['produce', '--job', 'transactions', '--input', file, '--topic', topic],
      env,
    );
    expect(produced.code).toBe(1);
    expect(produced.stderr).toContain(
      `featureflow: Kafka at ${clientEnv.KAFKA_BROKERS} refused this client:`,
    );
    expect(produced.stderr).toContain(
      '(check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM',
    );
    expectNoPassword(produced.stdout + produced.stderr);

    const services = [
      ['consume', '--job', 'transactions', '--topic', topic, '--group', uniqueName('sasl-wrong')],
      ['sink', '--topics', `${topic}=features.transactions`, '--group', uniqueName('sasl-wrong')],
    ];
    for (const args of services) {
      const started = performance.now();
      const service = startCli(args, env);
      expect(await service.exited(), service.output()).toBe(1);
      // Refused credentials are not retried for the whole retry timeout.
      expect(performance.now() - started).toBeLessThan(30_000);
      expect(service.output()).toContain('refused this client');
      expect(service.output()).not.toMatch(/events \(|rows read/);
      expectNoPassword(service.output());
    }
  });
});

describe('security settings', () => {
  it('a bad protocol name is a usage error (exit 2) naming the value and the allowed ones', async () => {
    const result = await runCli(
      ['consume', '--job', 'transactions', '--kafka-security-protocol', 'SASL_TLS'],
      secureEnv('PLAIN'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "KAFKA_SECURITY_PROTOCOL / --kafka-security-protocol is not a known value: 'SASL_TLS' (use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)",
    );
    expectNoPassword(result.stderr);
  });
});
