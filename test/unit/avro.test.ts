// Avro on Kafka: round trips in raw and Confluent framing, and bad bytes that never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvroDeserializer, AvroSerializer, toWireSchema } from '../../src/core/utils/avro.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import { click, txn } from '../support/events.ts';
import { TRANSACTIONS } from '../support/job-events.ts';

const validateTransactionEvent = TRANSACTIONS.validate;

const directory = new SchemaDirectory();
const deserializer = new AvroDeserializer(directory);

describe('AvroSerializer / AvroDeserializer', () => {
  it('round-trips a transaction in the raw wire form', () => {
    const event = txn({ card_id: 'c1', timestamp: 1_700_000_000_123, amount: 12.5 });
    const bytes = AvroSerializer.forTopic('txn.events').serialize(event);
    const decoded = deserializer.deserializeMessage('txn.events', bytes);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect({ ...(decoded.value as object) }).toEqual(event);
  });

  it('round-trips a click with and without referrer', () => {
    const serializer = AvroSerializer.forTopic('click.events');
    for (const referrer of [null, 'https://example.org/a']) {
      const event = click({ user_id: 'u1', timestamp: 5, referrer });
      const decoded = deserializer.deserializeMessage('click.events', serializer.serialize(event));
      expect(decoded.ok && { ...(decoded.value as object) }).toEqual(event);
    }
  });

  it('reads Confluent framing with the writer schema from the directory (enum form)', () => {
    const event = txn({ card_id: 'c9', timestamp: 42, channel: 'atm' });
    const serializer = new AvroSerializer(directory.typeOfFile('transaction_event.avsc'), {
      confluentSchemaId: 1,
    });
    const bytes = serializer.serialize(event);
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
    const decoded = deserializer.deserializeMessage('txn.events', bytes);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(validateTransactionEvent(decoded.value)).toMatchObject({ ok: true });
  });

  it('the wire form turns enums into strings and keeps everything else', () => {
    const wire = toWireSchema(directory.definitionOfFile('transaction_event.avsc')) as {
      fields: { name: string; type: unknown }[];
    };
    expect(wire.fields.find((f) => f.name === 'channel')!.type).toBe('string');
    expect(wire.fields.map((f) => f.name)).toEqual([
      'transaction_id',
      'card_id',
      'user_id',
      'merchant_id',
      'merchant_category',
      'amount',
      'currency',
      'country',
      'channel',
      'timestamp',
    ]);
  });

  it.each([
    ['an empty value', Buffer.alloc(0), 'has no value'],
    ['an unknown schema id', Buffer.from([0, 0, 0, 0, 99, 2, 65]), 'schema id 99'],
    ['a short Confluent header', Buffer.from([0, 0, 1]), 'too short for Confluent framing'],
  ])('explains %s', (_name, bytes, message) => {
    const decoded = deserializer.deserializeMessage('txn.events', bytes);
    expect(decoded).toMatchObject({ ok: false, reason: 'decode_failed' });
    if (!decoded.ok) expect(decoded.message).toContain(message);
  });

  it('rejects every truncation of a valid message', () => {
    const bytes = AvroSerializer.forTopic('txn.events').serialize(
      txn({ card_id: 'card-123', timestamp: 1_700_000_000_000 }),
    );
    for (let length = 1; length < bytes.length; length++) {
      const decoded = deserializer.deserializeMessage('txn.events', bytes.subarray(0, length));
      expect(decoded.ok, `truncated to ${length} bytes`).toBe(false);
    }
  });

  it('decodes a topic of another name with the schema of the topic it mirrors', () => {
    const event = txn({ card_id: 'c7', timestamp: 3 });
    const bytes = AvroSerializer.forTopic('txn.events').serialize(event);
    expect(deserializer.deserializeMessage('my.txn.copy', bytes).ok).toBe(false);
    const decoded = deserializer.deserializeMessage('my.txn.copy', bytes, 'txn.events');
    expect(decoded.ok && { ...(decoded.value as object) }).toEqual(event);
  });

  it('rejects a message with trailing bytes (another schema)', () => {
    const bytes = AvroSerializer.forTopic('txn.events').serialize(
      txn({ card_id: 'c', timestamp: 1 }),
    );
    const decoded = deserializer.deserializeMessage(
      'txn.events',
      Buffer.concat([bytes, Buffer.from([1, 2])]),
    );
    expect(decoded).toMatchObject({ ok: false, reason: 'decode_failed' });
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('txn.events', 'click.events', 'features.transactions', 'nope'),
        (bytes, topic) => {
          const decoded = deserializer.deserializeMessage(topic, Buffer.from(bytes));
          expect(typeof decoded.ok).toBe('boolean');
        },
      ),
      { numRuns: 5000 },
    );
  });
});
