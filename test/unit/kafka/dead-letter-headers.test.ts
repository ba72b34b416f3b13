import { describe, expect, it } from 'vitest';
import type { InvalidEvent } from '../../../src/core/models/event-validation.ts';
import { deadLetterMessage } from '../../../src/kafka/dead-letter-headers.ts';

const problem: InvalidEvent = {
  ok: false,
  reason: 'decode_failed',
  message: 'value is not Avro of txn.events: truncated buffer (produce with featureflow produce)',
};

describe('deadLetterMessage', () => {
  it("carries Kafka Connect's headers beside featureflow's, and the original key and headers", () => {
    const key = Buffer.from([0xff, 0x00, 0xfe]); // not UTF-8: must survive byte for byte
    const value = Buffer.from([0xde, 0xad]);
    const message = deadLetterMessage({
      origin: { kind: 'kafka', topic: 'txn.events', partition: 2, offset: '41' },
      problem,
      key,
      value,
      headers: { traceparent: Buffer.from('00-abc-01'), 'featureflow.error.reason': 'stale' },
    });
    expect(message.key).toBe(key);
    expect(message.value).toBe(value);
    expect(message.headers).toEqual({
      traceparent: Buffer.from('00-abc-01'),
      'featureflow.error.reason': problem.message,
      'featureflow.error.code': 'decode_failed',
      'featureflow.source': 'txn.events/2@41',
      '__connect.errors.topic': 'txn.events',
      '__connect.errors.partition': '2',
      '__connect.errors.offset': '41',
      '__connect.errors.exception.class.name': 'featureflow.decode_failed',
      '__connect.errors.exception.message': problem.message,
    });
  });

  it('names the file and record of a record produced from a file', () => {
    const message = deadLetterMessage({
      origin: { kind: 'file', path: 'events.ndjson', record: 7 },
      problem,
      key: null,
      value: Buffer.from('{}'),
    });
    expect(message.key).toBeNull();
    expect(message.headers).toEqual({
      'featureflow.error.reason': problem.message,
      'featureflow.error.code': 'decode_failed',
      'featureflow.source': 'events.ndjson:7',
      '__connect.errors.exception.class.name': 'featureflow.decode_failed',
      '__connect.errors.exception.message': problem.message,
    });
  });
});
