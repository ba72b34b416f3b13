/**
 * Ends a finite stream for event-time windows. Flink (and the consumer runtime) fire a window
 * only once the watermark passes it, and the watermark is the minimum over partitions; so one
 * sentinel event far in the future goes to every partition, as the end of input does in
 * replay. The sentinel's own windows never fire; its entity is left out of comparisons.
 */
import type { JobName } from '../core/models/config.ts';
import { jobDefinition } from '../core/processors/job-definitions.ts';
import { AvroSerializer } from '../core/utils/avro.ts';
import type { KafkaClient } from './kafka-client.ts';

export const SENTINEL_ENTITY = '~watermark-flush';

export function sentinelEvent(job: JobName, timestamp: number): Record<string, unknown> {
  return job === 'transactions'
    ? {
        transaction_id: 'flush',
        card_id: SENTINEL_ENTITY,
        user_id: 'flush',
        merchant_id: 'flush',
        merchant_category: 'flush',
        amount: 0,
        currency: 'XXX',
        country: 'XX',
        channel: 'online',
        timestamp,
      }
    : {
        event_id: 'flush',
        user_id: SENTINEL_ENTITY,
        session_id: 'flush',
        page: '/',
        event_type: 'page_view',
        referrer: null,
        timestamp,
      };
}

export async function flushWatermarks(
  kafka: KafkaClient,
  topic: string,
  job: JobName,
  timestamp: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
  await admin.disconnect();
  const value = AvroSerializer.forTopic<Record<string, unknown>>(
    jobDefinition(job).eventTopic,
  ).serialize(sentinelEvent(job, timestamp));
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: partitions.map((partition) => ({ partition, key: SENTINEL_ENTITY, value })),
    });
  } finally {
    await producer.disconnect();
  }
}
