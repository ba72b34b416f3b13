import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';

// kafkajs's warnings reach stderr through the client's log creator: capture what is written.
const originalWrite = process.stderr.write.bind(process.stderr);
let written = '';
function captureStderr() {
  written = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
}
afterEach(() => {
  process.stderr.write = originalWrite;
});

describe("the client's producer", () => {
  const previous = process.env.KAFKAJS_NO_PARTITIONER_WARNING;
  afterEach(() => {
    if (previous === undefined) delete process.env.KAFKAJS_NO_PARTITIONER_WARNING;
    else process.env.KAFKAJS_NO_PARTITIONER_WARNING = previous;
  });

  it('sets the partitioner, so kafkajs has no default partitioner to warn about', () => {
    delete process.env.KAFKAJS_NO_PARTITIONER_WARNING;
    const client = createKafkaClient({ clientId: 'spec', brokers: ['127.0.0.1:1'] });
    captureStderr();
    client.producer();
    client.producer({ maxInFlightRequests: 1 });
    // kafkajs warns "KafkaJS v2.0.0 switched default partitioner" when none is set.
    expect(written).toBe('');
  });
});
