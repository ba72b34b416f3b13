/**
 * Holding a Flink job's transaction feature rows to replay's: the reference rows of a file (the
 * `featureflow replay` CLI), and every committed row of a features topic checked against them
 * (same keys, each once, every column within a relative tolerance).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { wireTypeOf } from '../../src/core/utils/avro.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import type { KafkaClient } from '../../src/kafka/kafka-client.ts';
import { TRANSACTION_FEATURE_NAMES } from '../../test/support/job-events.ts';

const run = promisify(execFile);
const FEATUREFLOW_BIN = fileURLToPath(new URL('../../bin/featureflow.js', import.meta.url));

/** The numeric columns of schemas/transaction_features.avsc, after entity_id. */
export const TRANSACTION_COLUMNS = ['window_start', 'window_end', ...TRANSACTION_FEATURE_NAMES];

type Row = Record<string, unknown>;
/** Rows keyed `entity@window_end`, values in TRANSACTION_COLUMNS order. */
export type RowsByKey = Map<string, number[]>;

const keyOf = (row: Row) => `${String(row.entity_id)}@${Number(row.window_end)}`;
const valuesOf = (row: Row) => TRANSACTION_COLUMNS.map((c) => Number(row[c]));

/** `featureflow replay --job transactions` of `input`, keyed. */
export async function replayReference(input: string, output: string): Promise<RowsByKey> {
  await run(
    process.execPath,
    [FEATUREFLOW_BIN, 'replay', '--job', 'transactions', '--input', input, '--output', output],
    { maxBuffer: 1 << 24 },
  );
  const rows: RowsByKey = new Map();
  for (const line of (await readFile(output, 'utf8')).split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line) as Row;
    rows.set(keyOf(row), valuesOf(row));
  }
  return rows;
}

/** The DOUBLE columns (the others are BIGINT), as indexes into TRANSACTION_COLUMNS. */
const DOUBLE_COLUMNS = new Set(
  ['amount_sum', 'amount_avg', 'amount_max', 'amount_min', 'amount_std', 'velocity_score'].map(
    (c) => TRANSACTION_COLUMNS.indexOf(c as (typeof TRANSACTION_COLUMNS)[number]),
  ),
);

/**
 * Why two rows differ, or undefined: BIGINT columns exactly, DOUBLE columns within `relative`
 * (two jobs may sum a window's amounts in another order).
 */
export function rowDifference(
  actual: readonly number[],
  expected: readonly number[],
  relative = 1e-9,
): string | undefined {
  for (let c = 0; c < TRANSACTION_COLUMNS.length; c++) {
    const a = actual[c]!;
    const e = expected[c]!;
    if (a === e) continue;
    const close =
      DOUBLE_COLUMNS.has(c) &&
      Math.abs(a - e) / Math.max(Math.abs(a), Math.abs(e), 1e-300) <= relative;
    if (!close) return `${TRANSACTION_COLUMNS[c]} ${a} vs ${e}`;
  }
  return undefined;
}

export interface RowCheck {
  /** Distinct windows read. */
  rows: number;
  duplicates: number;
  /** Windows replay has not, or whose values differ. */
  mismatches: number;
  examples: string[];
  /** The rows of `sampleKeys`, for a direct comparison between two jobs. */
  sample: RowsByKey;
}

/**
 * Reads the committed rows of `topic` (read_committed: what the exactly-once sink committed)
 * until `reference.size` distinct windows arrived, checking each against `reference`. Throws
 * when they do not all arrive within `timeoutMs`.
 */
export async function checkCommittedRows(
  kafka: KafkaClient,
  topic: string,
  reference: RowsByKey,
  sampleKeys: ReadonlySet<string>,
  ignoreEntity: string,
  timeoutMs: number,
): Promise<RowCheck> {
  const type = wireTypeOf(new SchemaDirectory(), 'transaction_features.avsc');
  const seen = new Set<string>();
  const check: RowCheck = {
    rows: 0,
    duplicates: 0,
    mismatches: 0,
    examples: [],
    sample: new Map(),
  };
  const consumer = kafka.consumer({
    groupId: `${topic}-check-${Date.now().toString(36)}`,
    readCommitted: true,
  });
  await consumer.connect();
  await consumer.subscribe([topic], { fromBeginning: true });
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const mismatch = (why: string) => {
    check.mismatches++;
    if (check.examples.length < 5) check.examples.push(why);
  };
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const row = type.fromBuffer(message.value!) as Row;
        if (row.entity_id === ignoreEntity) continue;
        const key = keyOf(row);
        if (message.key?.toString() !== row.entity_id) mismatch(`${key}: Kafka key ${message.key}`);
        if (seen.has(key)) {
          check.duplicates++;
          continue;
        }
        seen.add(key);
        const values = valuesOf(row);
        if (sampleKeys.has(key)) check.sample.set(key, values);
        const expected = reference.get(key);
        if (expected === undefined) mismatch(`${key}: not a window replay fires`);
        else {
          const why = rowDifference(values, expected);
          if (why !== undefined) mismatch(`${key}: ${why}`);
        }
      }
      if (seen.size >= reference.size) resolveDone();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `${topic}: ${seen.size} of ${reference.size} windows committed after ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  check.rows = seen.size;
  return check;
}
