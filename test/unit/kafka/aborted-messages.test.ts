import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type AbortedTransaction,
  type FetchedMessage,
  filterAbortedMessages,
} from '../../../src/kafka/aborted-messages.ts';
import '../../../src/kafka/kafkajs.ts';

const require = createRequire(import.meta.url);

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

/** A record of producer `p` in a transaction, or its transaction's marker. */
function record(offset: number, p: string, key: Buffer | null = Buffer.from(`row-${offset}`)) {
  return {
    offset: String(offset),
    key,
    isControlRecord: key === ABORT || key === COMMIT,
    batchContext: { producerId: p, inTransaction: true },
  } satisfies FetchedMessage;
}

/**
 * Two Flink sink subtasks (producers 7 and 8) write interleaved transactions to one partition;
 * a restart aborts both. Producer 8's abort marker was written first, so the broker lists its
 * transaction first though producer 7's began earlier. Producer 9 commits in between.
 */
const MESSAGES = [
  record(100, '7'),
  record(101, '8'),
  record(102, '9'),
  record(103, '7'),
  record(104, '9', COMMIT),
  record(105, '8'),
  record(106, '8', ABORT),
  record(107, '7', ABORT),
  record(108, '7'),
  record(109, '7', COMMIT),
];
const ABORTED: AbortedTransaction[] = [
  { producerId: '8', firstOffset: '101' },
  { producerId: '7', firstOffset: '100' },
];
const committedRows = (messages: FetchedMessage[]) =>
  messages.filter((m) => !m.isControlRecord).map((m) => Number(m.offset));

describe('read_committed: messages of aborted transactions', () => {
  it('drops every message of each aborted transaction, whatever order the broker lists them in', () => {
    for (const aborted of [ABORTED, [...ABORTED].reverse()]) {
      expect(
        committedRows(filterAbortedMessages({ messages: MESSAGES, abortedTransactions: aborted })),
      ).toEqual([102, 108]);
    }
  });

  it('drops them when the fetch starts after both transactions began, listed in order', () => {
    const fetched = MESSAGES.filter((m) => Number(m.offset) >= 105);
    const inOrder = [...ABORTED].reverse();
    expect(
      committedRows(filterAbortedMessages({ messages: fetched, abortedTransactions: inOrder })),
    ).toEqual([108]);
  });

  it('is what kafkajs uses once src/kafka/kafkajs.ts is loaded; kafkajs 2.2.4 alone leaked', () => {
    const Batch = require('kafkajs/src/consumer/batch.js') as new (
      topic: string,
      fetchedOffset: string,
      partitionData: unknown,
    ) => { messages: FetchedMessage[] };
    const batch = new Batch('features', '100', {
      partition: 0,
      highWatermark: '110',
      abortedTransactions: ABORTED,
      messages: MESSAGES,
    });
    expect(batch.messages.map((m) => Number(m.offset))).toEqual([102, 108]);
    // The original, for the record: it sees producer 7's transaction only at offset 101.
    const original = readFileSync(
      require.resolve('kafkajs/src/consumer/filterAbortedMessages.js'),
      'utf8',
    );
    expect(original).toContain('remainingAbortedTransactions.shift()');
  });

  it('is the only way the repository loads kafkajs', () => {
    const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
      encoding: 'utf8',
    }).split('\n');
    const direct = tracked
      .filter(
        (file) => /\.(ts|js)$/.test(file) && file !== 'src/kafka/kafkajs.ts' && existsSync(file),
      )
      .filter((file) => /^import (?!type )[^;]*from 'kafkajs';/m.test(readFileSync(file, 'utf8')));
    expect(direct).toEqual([]);
  });
});
