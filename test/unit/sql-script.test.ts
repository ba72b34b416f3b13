import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../src/core/errors.ts';
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
    expect(() => fillPlaceholders("'${KAFKA_BROKERS_X}'", {}, {})).toThrow(
      'SQL placeholder ${KAFKA_BROKERS_X} is not set (pass --var KAFKA_BROKERS_X=VALUE or export KAFKA_BROKERS_X)',
    );
  });
});

describe('fillPlaceholders keeps values data, never SQL', () => {
  const ddl = "LOAD MODULE featureflow WITH ('address' = '${UDF_ADDRESS}')";

  it('doubles a quote inside a literal, so the value cannot end it', () => {
    const filled = fillPlaceholders(ddl, { UDF_ADDRESS: "x') /* */ --" }, {});
    expect(filled).toBe("LOAD MODULE featureflow WITH ('address' = 'x'') /* */ --')");
    // One statement, one literal: the value did not add an option or a statement.
    expect(splitSqlStatements(filled)).toHaveLength(1);
  });

  it.each([
    ['a bare placeholder', 'SELECT * FROM ${TABLE}', '${TABLE} is outside a quoted string literal'],
    ['one with a default', "SET 'a' = ${A:-1}", '${A:-1} is outside a quoted string literal'],
    ['a quoted identifier', 'SELECT `${COLUMN}` FROM t', '${COLUMN} is inside a quoted identifier'],
    [
      'a double-quoted identifier',
      'SELECT "${COLUMN}" FROM t',
      '${COLUMN} is inside a quoted identifier',
    ],
  ])('refuses %s, with exit code 2 (invalid_argument)', (_what, sql, message) => {
    let thrown: unknown;
    try {
      fillPlaceholders(sql, { TABLE: 't', A: '1', COLUMN: 'c' }, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FeatureflowError);
    expect((thrown as FeatureflowError).code).toBe('invalid_argument');
    expect((thrown as FeatureflowError).message).toBe(
      `SQL placeholder ${message}: featureflow fills placeholders only inside '...' string literals, where the value cannot become SQL (write it as '${message.split(' ')[0]}')`,
    );
  });

  it.each([
    ['a line break', "x'\n); DROP TABLE t; --", '"\\n"'],
    ['a carriage return', 'x\ry', '"\\r"'],
    ['a NUL', 'x\u0000y', '"\\u0000"'],
  ])('refuses a value with %s', (_what, value, shown) => {
    expect(() => fillPlaceholders(ddl, { UDF_ADDRESS: value }, {})).toThrow(
      `SQL placeholder \${UDF_ADDRESS} has a value with a control character (${shown}), which a SQL string literal cannot carry`,
    );
  });

  it('leaves placeholders in comments as written', () => {
    const sql = "-- ${KAFKA_BROKERS} comes from the environment\n/* ${X} */ SET 'a' = '${A}'";
    expect(fillPlaceholders(sql, { A: 'b' }, {})).toBe(
      "-- ${KAFKA_BROKERS} comes from the environment\n/* ${X} */ SET 'a' = 'b'",
    );
  });

  const sqlFiles = [
    ...readdirSync('flink-sql')
      .filter((name) => name.endsWith('.sql'))
      .map((name) => `flink-sql/${name}`),
    'examples/logins/logins.sql',
  ];
  it.each(sqlFiles)('%s has every placeholder inside a literal', (file) => {
    const vars = {
      KAFKA_BROKERS: 'k:9092',
      UDF_ADDRESS: 'u:50051',
      FEATUREFLOW_BRIDGE_JAR: '/j.jar',
    };
    for (const statement of splitSqlStatements(readFileSync(file, 'utf8'))) {
      expect(() => fillPlaceholders(statement.text, vars, {})).not.toThrow();
    }
  });
});
