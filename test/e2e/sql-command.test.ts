// `featureflow sql` writes each job's Flink job file from its definition: the checked-in job
// files are what it prints (comments aside), a window given on the command line reaches both the
// HOP and the late filter, and what it prints passes submit's window check.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkLateFiltersMatchHop,
  hopWindowsOf,
  lateFilterWindowsOf,
} from '../../src/flink/late-filter-window.ts';
import { splitSqlStatements, stripComments } from '../../src/flink/sql-script.ts';
import { runCli } from '../support/run-cli.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';

const REPOSITORY = new URL('../../', import.meta.url).pathname;

/** The statements of a script without comments, white space collapsed. */
function statementsOf(sql: string): string[] {
  return splitSqlStatements(sql).map((s) => stripComments(s.text).replace(/\s+/g, ' ').trim());
}

const JOB_FILES = [
  { job: 'transactions', file: 'flink-sql/03_transaction_features_udf.sql', args: [] },
  { job: 'clickstream', file: 'flink-sql/04_clickstream_features_udf.sql', args: [] },
  { job: 'logins', file: 'examples/logins/logins.sql', args: ['--definitions', LOGINS_EXAMPLE] },
];

describe('featureflow sql', () => {
  it.each(JOB_FILES)(
    'prints the statements of $file for --job $job',
    async ({ job, file, args }) => {
      const result = await runCli(['sql', '--job', job, ...args]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(statementsOf(result.stdout)).toEqual(
        statementsOf(readFileSync(`${REPOSITORY}${file}`, 'utf8')),
      );
      expect(() => checkLateFiltersMatchHop(result.stdout, 'printed')).not.toThrow();
    },
  );

  it('puts --window and --slide into the HOP and the late filter alike', async () => {
    const result = await runCli([
      'sql',
      '--job',
      'logins',
      '--definitions',
      LOGINS_EXAMPLE,
      '--window',
      '30m',
      '--slide',
      '30s',
      '--max-out-of-orderness',
      '2s',
    ]);
    expect(result.code).toBe(0);
    const window = { slideMs: 30_000, sizeMs: 1_800_000 };
    expect(hopWindowsOf(result.stdout)).toEqual([window]);
    expect(lateFilterWindowsOf(result.stdout)).toEqual([window]);
    expect(result.stdout).toContain("WATERMARK FOR event_time AS event_time - INTERVAL '2' SECOND");
  });

  it('refuses an unknown job with exit 2 and names the choices', async () => {
    const result = await runCli(['sql', '--job', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope');
    expect(result.stderr).toContain('transactions');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('late filter and HOP of a job file', () => {
  const file = readFileSync(`${REPOSITORY}flink-sql/03_transaction_features_udf.sql`, 'utf8');

  it('agree in every checked-in job file', () => {
    for (const { file: path } of JOB_FILES) {
      const sql = readFileSync(`${REPOSITORY}${path}`, 'utf8');
      expect(lateFilterWindowsOf(sql)).toHaveLength(1);
      expect(lateFilterWindowsOf(sql)).toEqual(hopWindowsOf(sql).slice(0, 1));
    }
  });

  it('are refused when only the HOP was edited', () => {
    const edited = file.replace(
      "INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)\n  )",
      "INTERVAL '1' MINUTE, INTERVAL '10' MINUTE)\n  )",
    );
    expect(edited).not.toBe(file);
    expect(() => checkLateFiltersMatchHop(edited, 'edited.sql')).toThrow(
      "edited.sql: a window (slide 1m, size 5m) differs from the HOP's (slide 1m, size 10m): late events would be misrouted (give HOP and last_window_fire_time the same two intervals)",
    );
  });

  it('make submit refuse the file before it connects to anything', async () => {
    const edited = file.replace("INTERVAL '5' MINUTE)\n  )", "INTERVAL '10' MINUTE)\n  )");
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = `${mkdtempSync(`${tmpdir()}/ff-sql-`)}/edited.sql`;
    writeFileSync(path, edited);
    const result = await runCli(['submit', path, '--flink-sql-gateway', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("differs from the HOP's (slide 1m, size 10m)");
  });
});
