/** The watermark flush of src/kafka/watermark-flush.ts, for tests given broker addresses. */
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import { flushWatermarks as flush, SENTINEL_ENTITY } from '../../src/kafka/watermark-flush.ts';

export { SENTINEL_ENTITY };

export async function flushWatermarks(
  brokers: string,
  topic: string,
  job: 'transactions' | 'clickstream',
  timestamp: number,
): Promise<void> {
  await flush(
    createKafkaClient({ clientId: 'test-flush', brokers: brokers.split(',') }),
    topic,
    job,
    timestamp,
  );
}
