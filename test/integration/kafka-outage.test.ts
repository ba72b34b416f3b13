// Kafka going away while consume and sink run (docs/bad-input.md, lost dependencies), on a
// broker of the test's own that it kills -9 and starts again: a service rides out an outage
// shorter than --kafka-retry-timeout and goes on with what arrives after it; an outage longer
// than that ends the service with exit 1 and the reason, within a bounded time, and no status
// line after it. Every test has its own topics and groups.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { trackCliProcesses } from '../support/cli-process.ts';
import { createTopics, readTopic, testKafka, uniqueName, waitFor } from '../support/kafka.ts';
import { createPrivateKafka, type PrivateKafka } from '../support/private-kafka.ts';

const stack = inject('stack');
const startCli = trackCliProcesses(afterEach);
let kafka: PrivateKafka;

beforeAll(async () => {
  kafka = await createPrivateKafka();
  await kafka.start();
}, 180_000);

afterAll(async () => {
  await kafka?.remove();
});

/** Long enough for the broker to restart on a busy machine; the give-up run uses a short one. */
const RIDE_OUT = '90s';
const GIVE_UP_SECONDS = 15;
const DRAIN_SECONDS = 5;
/**
 * How long past the retry timeout the exit may come: the client notices the timeout at the end
 * of its current reconnect round (connection timeouts and capped backoff, well under 45 s),
 * then the drain gets its time.
 */
const EXIT_BOUND_MS = (GIVE_UP_SECONDS + 45 + DRAIN_SECONDS) * 1000;

function argsOf(command: 'consume' | 'sink', topic: string, retryTimeout: string): string[] {
  const group = uniqueName(`outage-${command}`);
  const common = ['--group', group, '--kafka-retry-timeout', retryTimeout];
  const lifecycle = [...common, '--drain-timeout', `${DRAIN_SECONDS}s`];
  return command === 'consume'
    ? ['consume', '--job', 'transactions', '--topic', topic, '--status-interval', '1', ...lifecycle]
    : ['sink', '--topics', `${topic}=features.transactions`, ...lifecycle];
}

async function sendPoison(topic: string, tag: string): Promise<void> {
  const producer = testKafka(kafka.brokers).producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: tag, value: Buffer.from([0xff, 1]) }] });
  await producer.disconnect();
}

/** The dead letters of `topic` so far, by key. */
async function deadLetterKeys(topic: string, count: number): Promise<string[]> {
  const messages = await readTopic(
    kafka.brokers,
    `${topic}.dlq`,
    (m) => m.length >= count,
    120_000,
  );
  return messages.map((m) => String(m.key));
}

describe.each(['consume', 'sink'] as const)('%s while Kafka goes away', (command) => {
  it('rides out a short outage, and exits 1 in bounded time after a long one', async () => {
    const topic = uniqueName(command === 'consume' ? 'txn.events.outage' : 'features.outage');
    await createTopics(kafka.brokers, [topic, `${topic}.late`, `${topic}.dlq`], 1);
    const env = { KAFKA_BROKERS: kafka.brokers, REDIS_URL: stack.redisUrl };

    const steady = startCli(argsOf(command, topic, RIDE_OUT), env);
    await sendPoison(topic, 'before');
    expect(await deadLetterKeys(topic, 1)).toEqual(['before']);

    // A short outage: the client reconnects and the service goes on where it was.
    await kafka.kill();
    await waitFor(`${command} to notice the broker is gone`, 60_000, () =>
      /ECONNREFUSED|crashed, restarting/.test(steady.output()) ? true : undefined,
    );
    await kafka.start();
    await sendPoison(topic, 'after');
    expect((await deadLetterKeys(topic, 2)).sort()).toEqual(['after', 'before']);
    expect(steady.child.exitCode).toBeNull();

    // A long outage: a service with a short retry timeout gives up, says why, and exits 1.
    const brief = startCli(argsOf(command, topic, `${GIVE_UP_SECONDS}s`), env);
    await waitFor(`the second ${command} to join`, 60_000, () =>
      /events \(|rows read/.test(brief.output()) ? true : undefined,
    );
    await kafka.kill();
    const killedAt = performance.now();
    expect(await brief.exited()).toBe(1);
    const tookMs = performance.now() - killedAt;
    console.log(
      `${command}: exit 1 ${(tookMs / 1000).toFixed(1)} s after the broker was killed (--kafka-retry-timeout ${GIVE_UP_SECONDS}s, --drain-timeout ${DRAIN_SECONDS}s)`,
    );
    expect(tookMs).toBeGreaterThan(GIVE_UP_SECONDS * 1000 - 1000);
    expect(tookMs).toBeLessThan(EXIT_BOUND_MS);
    const output = brief.output();
    expect(output).toMatch(
      new RegExp(
        `featureflow: Kafka at ${kafka.brokers} (failed and the consumer gave up|did not answer for ${GIVE_UP_SECONDS} s)`,
      ),
    );
    expect(output).toContain('--kafka-retry-timeout waits longer');
    // Nothing after the reason: no status line.
    expect(output.slice(output.indexOf('featureflow: Kafka at '))).not.toMatch(
      /events \(|rows read/,
    );
    await kafka.start();
  }, 420_000);
});
