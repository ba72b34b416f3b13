import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { groupMessagesPerPartition } from '../../../src/kafka/partition-grouping.ts';
import '../../../src/kafka/kafkajs.ts';

const require = createRequire(import.meta.url);

const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }];
/** Partition by the key's last digit, modulo 3: a stand-in for murmur2 that a reader can follow. */
const byLastDigit = ({ message }: { message: { key: string } }) => Number(message.key.at(-1)) % 3;

describe('grouping a send by partition', () => {
  it('keeps each partition’s messages in the order they were sent', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: `card-${i}`, value: `v${i}` }));
    const groups = groupMessagesPerPartition({
      topic: 'txn.events',
      partitionMetadata,
      messages,
      partitioner: byLastDigit,
    });
    expect(Object.keys(groups)).toEqual(['0', '1', '2']);
    expect(groups[0]!.map((m) => m.key)).toEqual(['card-0', 'card-3', 'card-6', 'card-9']);
    expect(groups[1]!.map((m) => m.key)).toEqual(['card-1', 'card-4', 'card-7']);
    expect(groups[2]!.map((m) => m.key)).toEqual(['card-2', 'card-5', 'card-8']);
    expect(groups[0]![0]).toBe(messages[0]);
  });

  it('groups nothing for a topic without partition metadata, as kafkajs does', () => {
    const groups = groupMessagesPerPartition({
      topic: 'txn.events',
      partitionMetadata: [],
      messages: [{ key: 'card-1' }],
      partitioner: byLastDigit,
    });
    expect(groups).toEqual({});
  });

  it('is what kafkajs producers use once src/kafka/kafkajs.ts is loaded', () => {
    const used = require('kafkajs/src/producer/groupMessagesPerPartition.js') as {
      featureflow?: boolean;
    } & typeof groupMessagesPerPartition;
    expect(used.featureflow).toBe(true);
    const messages = [{ key: 'card-2' }, { key: 'card-5' }, { key: 'card-1' }];
    expect(used({ topic: 't', partitionMetadata, messages, partitioner: byLastDigit })).toEqual({
      1: [{ key: 'card-1' }],
      2: [{ key: 'card-2' }, { key: 'card-5' }],
    });
  });
});
