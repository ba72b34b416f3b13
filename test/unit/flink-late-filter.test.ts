// The late-event filters in flink-sql/ route exactly the events the engine calls late
// (docs/windows.md): an event is late once the watermark reached the end of its last window minus 1 ms.
// Each filter spells that end with constants; they must match the job's HOP window (or the
// default window where the file has none) and the engine's lastWindowEnd for every timestamp.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/core/utils/durations.ts';
import { lastWindowEnd } from '../../src/core/utils/windowing.ts';
import { stripComments } from '../../src/flink/sql-script.ts';
import { TRANSACTIONS } from '../support/job-events.ts';

const SQL_DIR = new URL('../../flink-sql/', import.meta.url).pathname;

const LATE_FILTER =
  /CURRENT_WATERMARK\(event_time\)\s*>=\s*TO_TIMESTAMP_LTZ\(`timestamp`\s*-\s*MOD\(`timestamp`,\s*(\d+)\)\s*\+\s*(\d+)\s*-\s*1,\s*3\)/g;
const HOP =
  /HOP\(TABLE \w+, DESCRIPTOR\(event_time\), INTERVAL '(\d+)' MINUTE, INTERVAL '(\d+)' MINUTE\)/g;

const files = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql'))
  .map((file) => ({ file, sql: stripComments(readFileSync(join(SQL_DIR, file), 'utf8')) }))
  .filter(({ sql }) => sql.includes('CURRENT_WATERMARK'));

describe('late-event filters in flink-sql/', () => {
  it('exist for the pure-SQL routing job and both UDF jobs', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      '02_transaction_late_events.sql',
      '03_transaction_features_udf.sql',
      '04_clickstream_features_udf.sql',
    ]);
  });

  describe.each(files)('$file', ({ sql }) => {
    const filters = [...sql.matchAll(LATE_FILTER)];
    const hops = [...sql.matchAll(HOP)];
    const slideMs = hops.length
      ? Number(hops[0]![1]) * 60_000
      : parseDurationMs(TRANSACTIONS.windowDefaults.slide);
    const sizeMs = hops.length
      ? Number(hops[0]![2]) * 60_000
      : parseDurationMs(TRANSACTIONS.windowDefaults.size);

    it('has one filter, and every HOP in the file uses the same window', () => {
      expect(filters).toHaveLength(1);
      for (const hop of hops) expect([hop[1], hop[2]]).toEqual([hops[0]![1], hops[0]![2]]);
    });

    it("spells the engine's last window end for every timestamp", () => {
      const [, modulus, offset] = filters[0]!;
      expect(Number(modulus)).toBe(slideMs);
      const sqlLastEnd = (t: number) => t - (t % Number(modulus)) + Number(offset);
      for (const t of [0, 1, 59_999, 60_000, 60_001, 299_999, 1_700_000_123_456, 1_704_067_260_000])
        expect(sqlLastEnd(t)).toBe(lastWindowEnd(t, sizeMs, slideMs));
    });
  });
});
