// The Flink SQL jobs apply the numeric bounds of the job definitions (`maxAbs` rules, such as the
// transactions job's |amount| <= 1e15) before any window: each file that reads a job's events
// table declares a view of the valid events with the same bound, and every query reads the view.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillPlaceholders, splitSqlStatements, stripComments } from '../../src/flink/sql-script.ts';
import { BUILT_IN } from '../support/job-events.ts';

const SQL_DIR = new URL('../../flink-sql/', import.meta.url).pathname;

const boundedJobs = BUILT_IN.jobs
  .map((job) => ({
    job,
    bounds: job.fieldRules.flatMap((rule) =>
      rule.constraint?.maxAbs === undefined
        ? []
        : [{ field: rule.name, maxAbs: rule.constraint.maxAbs }],
    ),
  }))
  .filter(({ bounds }) => bounds.length > 0);

/** Files reading a bounded job's events topic, with the table declared on it. */
const readers = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql'))
  .flatMap((file) => {
    const statements = splitSqlStatements(readFileSync(join(SQL_DIR, file), 'utf8')).map((s) =>
      stripComments(s.text),
    );
    return boundedJobs.flatMap(({ job, bounds }) => {
      const source = statements.find(
        (s) =>
          /^\s*CREATE\s+TEMPORARY\s+TABLE/i.test(s) &&
          fillPlaceholders(s, { KAFKA_BROKERS: 'b', UDF_ADDRESS: 'u' }, {}).includes(
            `'topic' = '${job.topics.events}'`,
          ),
      );
      if (source === undefined) return [];
      const table = /TABLE\s+(\w+)/i.exec(source)![1]!;
      return [{ file, job: job.name, table, bounds, statements }];
    });
  });

describe('Flink SQL applies the definitions bounds', () => {
  it('covers the pure-SQL, late-routing and UDF transaction jobs', () => {
    expect(readers.map((r) => r.file).sort()).toEqual([
      '01_transaction_features_sql.sql',
      '02_transaction_late_events.sql',
      '03_transaction_features_udf.sql',
    ]);
  });

  it.each(readers.map((r) => [`${r.file} (${r.job})`, r] as const))('%s', (_name, reader) => {
    const view = reader.statements.find((s) =>
      new RegExp(`CREATE\\s+TEMPORARY\\s+VIEW\\s+valid_${reader.table}\\b`, 'i').test(s),
    );
    expect(view, `${reader.file} declares no view valid_${reader.table}`).toBeDefined();
    expect(view).toMatch(new RegExp(`FROM\\s+${reader.table}\\s+WHERE`, 'i'));
    const conditions = [...view!.matchAll(/ABS\(`?(\w+)`?\)\s*<=\s*([0-9.E+]+)/gi)].map((m) => ({
      field: m[1]!,
      maxAbs: Number(m[2]!),
    }));
    expect(conditions).toEqual(reader.bounds);
    // Nothing but the view reads the table itself.
    const readsTable = new RegExp(`(FROM|TABLE)\\s+${reader.table}\\b`, 'i');
    const others = reader.statements.filter(
      (s) => s !== view && readsTable.test(s) && !/^\s*CREATE\s+TEMPORARY\s+TABLE/i.test(s),
    );
    expect(others).toEqual([]);
  });
});
