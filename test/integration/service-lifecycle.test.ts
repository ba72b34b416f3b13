// consume and sink against the real Kafka of the test stack: a missing topic is a fatal error
// (exit 1, named), one SIGTERM while running stops them within the drain time (exit 0), and a
// poison message reaches `<topic>.dlq` with Kafka Connect's headers, its key bytes and its own
// headers. Every test has its own topics and group.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { trackCliProcesses } from '../support/cli-process.ts';
import { createTopics, readTopic, testKafka, uniqueName } from '../support/kafka.ts';
import { stackEnv } from '../support/stack-endpoints.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const startCli = trackCliProcesses(afterEach);

/** consume or sink on `topic` (a feature topic for the sink), in a group of its own. */
function argsOf(command: 'consume' | 'sink', topic: string): string[] {
  const group = uniqueName(`lifecycle-${command}`);
  return command === 'consume'
    ? [
        'consume',
        '--job',
        'transactions',
        '--topic',
        topic,
        '--group',
        group,
        '--status-interval',
        '1',
      ]
    : ['sink', '--topics', `${topic}=features.transactions`, '--group', group];
}

const POISON = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01]);
const POISON_KEY = Buffer.from([0xff, 0x00, 0xfe]); // not UTF-8: must arrive byte for byte

describe.each(['consume', 'sink'] as const)('%s', (command) => {
  it('exits 1 naming a topic that does not exist', async () => {
    const topic = uniqueName(command === 'consume' ? 'txn.events.none' : 'features.none');
    const process = startCli(argsOf(command, topic), env);
    expect(await process.exited()).toBe(1);
    expect(process.output()).toContain(
      `featureflow: topic ${topic} does not exist at ${stack.kafkaBrokers} (create it, e.g. 'featureflow up' creates the jobs' topics, or name another with --topic / --topics)`,
    );
    // Nothing keeps running after the fatal error: no status lines.
    expect(process.output()).not.toMatch(/events \(|rows read/);
  });

  it('stops within the drain time after one SIGTERM, and dead-letters with Connect headers', async () => {
    const topic = uniqueName(command === 'consume' ? 'txn.events.life' : 'features.life');
    await createTopics(stack.kafkaBrokers, [topic, `${topic}.late`, `${topic}.dlq`], 1);
    const process = startCli([...argsOf(command, topic), '--drain-timeout', '10s'], env);
    const producer = testKafka(stack.kafkaBrokers).producer();
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: POISON_KEY, value: POISON, headers: { traceparent: '00-abc-01' } }],
    });
    await producer.disconnect();

    const [dead] = await readTopic(
      stack.kafkaBrokers,
      `${topic}.dlq`,
      (m) => m.length >= 1,
      60_000,
    );
    expect(dead!.key).toEqual(POISON_KEY);
    expect(dead!.value).toEqual(POISON);
    const headers = Object.fromEntries(
      Object.entries(dead!.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    expect(headers).toMatchObject({
      traceparent: '00-abc-01',
      '__connect.errors.topic': topic,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '0',
      '__connect.errors.exception.class.name': 'featureflow.decode_failed',
      'featureflow.error.code': 'decode_failed',
      'featureflow.source': `${topic}/0@0`,
    });
    expect(headers['__connect.errors.exception.message']).toBe(headers['featureflow.error.reason']);

    const signalled = performance.now();
    expect(await process.stop('SIGTERM')).toBe(0);
    expect(performance.now() - signalled).toBeLessThan(10_000);
  });
});
