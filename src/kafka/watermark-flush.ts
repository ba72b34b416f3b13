/**
 * Ends a finite stream for event-time windows. Flink (and the consumer runtime) fire a window
 * only once the watermark passes it, and the watermark is the minimum over partitions; so one
 * sentinel event far in the future goes to every partition, as the end of input does in
 * replay. The sentinel's own windows never fire; its entity is left out of comparisons.
 */
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import { AvroSerializer, wireTypeOfSchema } from '../core/utils/avro.ts';
import type { KafkaClient } from './kafka-types.ts';

export const SENTINEL_ENTITY = '~watermark-flush';

/** A valid event of `job` for the sentinel entity at `timestamp`. */
export function sentinelEvent(job: JobDefinition, timestamp: number): Record<string, unknown> {
  return job.sentinelEvent(SENTINEL_ENTITY, timestamp);
}

export async function flushWatermarks(
  kafka: KafkaClient,
  topic: string,
  job: JobDefinition,
  timestamp: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
  await admin.disconnect();
  const value = new AvroSerializer<Record<string, unknown>>(
    wireTypeOfSchema(job.eventSchema),
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
