/** Kafka helpers for integration tests: unique topics, reading a topic back, polling. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import type { KafkaClient, KafkaRecord } from '../../src/kafka/kafka-types.ts';
import { createTopicsWithLeaders } from '../../src/stack/kafka-admin.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function testKafka(brokers: string): KafkaClient {
  return createKafkaClient({
    clientId: uniqueName('test'),
    brokers: brokers.split(','),
    quiet: true,
  });
}

export async function createTopics(
  brokers: string,
  topics: readonly string[],
  partitions = 3,
): Promise<void> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(
      admin,
      topics.map((topic) => ({ topic, numPartitions: partitions })),
      30_000,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Polls until `check` gives a value, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * Reads a topic from the beginning in a fresh group until `done(messages)` says enough, or the
 * timeout passes (then it fails with how many arrived).
 */
export async function readTopic(
  brokers: string,
  topic: string,
  done: (messages: KafkaRecord[]) => boolean,
  timeoutMs = 120_000,
): Promise<KafkaRecord[]> {
  const consumer = testKafka(brokers).consumer({ groupId: uniqueName('reader') });
  const messages: KafkaRecord[] = [];
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run({
    eachRecord: async ({ message }) => {
      messages.push(message);
    },
  });
  try {
    await waitFor(
      `${topic} to hold what the test expects (${messages.length} messages so far)`,
      timeoutMs,
      () => (done(messages) ? true : undefined),
    );
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Offsets summed over partitions: how many messages a topic holds. */
export async function topicSize(brokers: string, topic: string): Promise<number> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface TopicCollector {
  /** Every message so far, with when this reader received it (Date.now()). */
  readonly received: { at: number; message: KafkaRecord }[];
  stop(): Promise<void>;
}

/**
 * Reads a topic from the beginning in a fresh group for as long as the test runs, noting when
 * each message arrived: with the client's default isolation (read_committed), a message arrives
 * once its transaction commits, which is when a sink could first see it.
 */
export async function collectTopic(brokers: string, topic: string): Promise<TopicCollector> {
  const consumer = testKafka(brokers).consumer({ groupId: uniqueName('collector') });
  const received: { at: number; message: KafkaRecord }[] = [];
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run({
    eachRecord: async ({ message }) => {
      received.push({ at: Date.now(), message });
    },
  });
  return { received, stop: () => consumer.disconnect() };
}
