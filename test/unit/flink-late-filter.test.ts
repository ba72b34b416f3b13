// The late-event filters in flink-sql/ route exactly the events the engine calls late (docs/windows.md): those
// whose last window already fired. Each calls last_window_fire_time (the featureflow module's
// function, held to the engine's arithmetic by the bridge's LastWindowFireTimeTest) with the
// window of its job: the HOP of the same file, or for the pure-SQL routing job the HOP of
// 01_transaction_features_sql.sql; and those windows are the jobs' own defaults, as replay uses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/core/utils/durations.ts';
import { hopWindowsOf, lateFilterWindowsOf } from '../../src/flink/late-filter-window.ts';
import { CLICKSTREAM, TRANSACTIONS } from '../support/job-events.ts';

const SQL_DIR = new URL('../../flink-sql/', import.meta.url).pathname;
const sqlOf = (file: string) => readFileSync(join(SQL_DIR, file), 'utf8');
const defaultWindowOf = (job: typeof TRANSACTIONS) => ({
  slideMs: parseDurationMs(job.windowDefaults.slide),
  sizeMs: parseDurationMs(job.windowDefaults.size),
});

const files = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql') && sqlOf(f).includes('CURRENT_WATERMARK'))
  .sort();

describe('late-event filters in flink-sql/', () => {
  it('exist for the pure-SQL routing job and both UDF jobs', () => {
    expect(files).toEqual([
      '02_transaction_late_events.sql',
      '03_transaction_features_udf.sql',
      '04_clickstream_features_udf.sql',
    ]);
  });

  const jobWindow: Record<string, ReturnType<typeof defaultWindowOf>> = {
    '02_transaction_late_events.sql': hopWindowsOf(sqlOf('01_transaction_features_sql.sql'))[0]!,
    '03_transaction_features_udf.sql': defaultWindowOf(TRANSACTIONS),
    '04_clickstream_features_udf.sql': defaultWindowOf(CLICKSTREAM),
  };

  it.each(files)('%s: one filter, on the window of its job', (file) => {
    const sql = sqlOf(file);
    expect(lateFilterWindowsOf(sql)).toEqual([jobWindow[file]]);
    for (const hop of hopWindowsOf(sql)) expect(hop).toEqual(jobWindow[file]);
  });

  it("the pure-SQL job's window is the transactions job's default", () => {
    expect(hopWindowsOf(sqlOf('01_transaction_features_sql.sql'))).toEqual([
      defaultWindowOf(TRANSACTIONS),
    ]);
  });
});
