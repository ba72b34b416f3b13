/**
 * Flink fires a window only once the watermark passes it, and the watermark of a Kafka source
 * is the minimum over its partitions. To see every window of a finite test file (as replay
 * fires them at the end of input), one sentinel event far in the future goes to every
 * partition; the sentinel's own windows never fire, and its entity is left out of comparisons.
 */
import { AvroSerializer } from '../../src/core/utils/avro.ts';
import { testKafka } from './kafka.ts';

export const SENTINEL_ENTITY = '~watermark-flush';

export async function flushWatermarks(
  brokers: string,
  topic: string,
  job: 'transactions' | 'clickstream',
  timestamp: number,
  partitions = 3,
): Promise<void> {
  const producer = testKafka(brokers).producer();
  await producer.connect();
  const serializer = AvroSerializer.forTopic<Record<string, unknown>>(
    job === 'transactions' ? 'txn.events' : 'click.events',
  );
  const event =
    job === 'transactions'
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
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: partitions }, (_, partition) => ({
        partition,
        key: SENTINEL_ENTITY,
        value: serializer.serialize(event),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}
