// The Flink benchmarks apply --set / --module settings to the shipped job files: a setting must
// reach the job (replacing the file's own value, not adding a second SET that loses) and change
// nothing else.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyFlinkSettings,
  describeSettings,
  NO_SETTINGS,
  parseSettingFlags,
} from '../../bench/support/flink-settings.ts';
import { TS_UDF_SCRIPT } from '../../bench/support/java-udf.ts';
import { splitSqlStatements, stripComments } from '../../src/flink/sql-script.ts';

const original = readFileSync(TS_UDF_SCRIPT, 'utf8');
const code = (script: string) =>
  splitSqlStatements(script).map((s) => stripComments(s.text).trim());

describe('applyFlinkSettings', () => {
  it('adds a new SET after the last SET of the file and keeps every other statement', () => {
    const applied = applyFlinkSettings(original, {
      sets: [['table.exec.mini-batch.enabled', 'true']],
      moduleOptions: [],
    });
    const before = code(original);
    const after = code(applied);
    const lastSet = before.findLastIndex((s) => s.startsWith('SET '));
    expect(after).toEqual([
      ...before.slice(0, lastSet + 1),
      "SET 'table.exec.mini-batch.enabled' = 'true'",
      ...before.slice(lastSet + 1),
    ]);
  });

  it("replaces the file's own SET of a key in place", () => {
    const key = 'table.exec.async-scalar.max-concurrent-operations';
    const applied = code(applyFlinkSettings(original, { sets: [[key, '512']], moduleOptions: [] }));
    expect(applied.filter((s) => s.includes(key))).toEqual([`SET '${key}' = '512'`]);
    expect(applied).toHaveLength(code(original).length);
  });

  it('adds module options to LOAD MODULE, replacing one the file gives', () => {
    const applied = code(
      applyFlinkSettings(original, {
        sets: [],
        moduleOptions: [
          ['batch.max-rows', '256'],
          ['address', 'elsewhere:1'],
        ],
      }),
    );
    expect(applied.filter((s) => s.startsWith('LOAD MODULE'))).toEqual([
      "LOAD MODULE featureflow WITH ('batch.max-rows' = '256', 'address' = 'elsewhere:1')",
    ]);
  });

  it('refuses module options for a job without the bridge', () => {
    const sql = "SET 'a' = 'b';\nCREATE TEMPORARY VIEW v AS SELECT 1;\n";
    expect(() =>
      applyFlinkSettings(sql, { sets: [], moduleOptions: [['batch.max-rows', '1']] }),
    ).toThrow(/without LOAD MODULE featureflow/);
  });

  it('leaves the statements as they were without settings', () => {
    expect(code(applyFlinkSettings(original, NO_SETTINGS))).toEqual(code(original));
    expect(describeSettings(NO_SETTINGS)).toBe('none (the job files as shipped)');
  });
});

describe('parseSettingFlags', () => {
  it('splits at the first =, and refuses a flag without one', () => {
    expect(parseSettingFlags('--set', ['a.b=1 s', 'c=x=y'])).toEqual([
      ['a.b', '1 s'],
      ['c', 'x=y'],
    ]);
    expect(() => parseSettingFlags('--set', ['mini-batch'])).toThrow(
      /--set "mini-batch": expected key=value/,
    );
  });
});
