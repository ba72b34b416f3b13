/** The watermark flush of src/kafka/watermark-flush.ts, for tests given broker addresses. */

import type { JobDefinition } from '../../src/core/jobs/job-definition.ts';
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import { flushWatermarks as flush, SENTINEL_ENTITY } from '../../src/kafka/watermark-flush.ts';
import { BUILT_IN } from './job-events.ts';

export { SENTINEL_ENTITY };

export async function flushWatermarks(
  brokers: string,
  topic: string,
  job: string | JobDefinition,
  timestamp: number,
): Promise<void> {
  await flush(
    createKafkaClient({ clientId: 'test-flush', brokers: brokers.split(',') }),
    topic,
    typeof job === 'string' ? BUILT_IN.get(job) : job,
    timestamp,
  );
}
