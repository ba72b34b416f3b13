import { describe, expect, it } from 'vitest';
import { fillPlaceholders, splitSqlStatements } from '../../src/flink/sql-script.ts';

describe('splitSqlStatements', () => {
  it('splits on semicolons outside strings, identifiers and comments', () => {
    const script = [
      '-- intent; with a semicolon in a comment',
      "CREATE TABLE t (`a;b` STRING) WITH ('k' = 'v;w');",
      '/* block; comment */',
      "SELECT 'it''s; fine' FROM t;",
      '',
      'SET x = y',
    ].join('\n');
    const statements = splitSqlStatements(script);
    expect(statements.map((s) => s.line)).toEqual([2, 4, 6]);
    expect(statements[0]!.text).toContain("WITH ('k' = 'v;w')");
    expect(statements[1]!.text).toContain("'it''s; fine'");
    expect(statements[2]!.text).toBe('SET x = y');
  });

  it('keeps a statement set whole', () => {
    const statements = splitSqlStatements(
      'EXECUTE STATEMENT SET BEGIN\n  INSERT INTO a SELECT 1;\n  INSERT INTO b SELECT 2;\nEND;\nSELECT 3;',
    );
    expect(statements).toHaveLength(2);
    expect(statements[0]!.text).toMatch(
      /^EXECUTE STATEMENT SET BEGIN[\s\S]*INSERT INTO b SELECT 2;\nEND$/,
    );
  });

  it('drops comment-only tails', () => {
    expect(splitSqlStatements('SELECT 1;\n-- the end\n')).toHaveLength(1);
  });

  it('refuses an unterminated string with its line', () => {
    expect(() => splitSqlStatements("SELECT 1;\nSELECT 'oops;")).toThrow(
      /unterminated string starting near line 2/,
    );
  });
});

describe('fillPlaceholders', () => {
  it('takes --var first, then the environment', () => {
    expect(fillPlaceholders("'${A}' '${B}'", { A: 'flag' }, { A: 'env', B: 'envB' })).toBe(
      "'flag' 'envB'",
    );
  });

  it('falls back to ${NAME:-default} only when nothing sets NAME', () => {
    expect(fillPlaceholders("'${T:-txn.events}'", {}, {})).toBe("'txn.events'");
    expect(fillPlaceholders("'${T:-txn.events}'", { T: 'mine' }, {})).toBe("'mine'");
  });

  it('names an unset placeholder and the fix', () => {
    expect(() => fillPlaceholders('${KAFKA_BROKERS_X}', {}, {})).toThrow(
      'SQL placeholder ${KAFKA_BROKERS_X} is not set (pass --var KAFKA_BROKERS_X=VALUE or export KAFKA_BROKERS_X)',
    );
  });
});
