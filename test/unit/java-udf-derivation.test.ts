// The Java-UDF benchmark's job is derived from flink-sql/03 on each run (only the function
// differs). This keeps the derivation working as 03 changes, instead of failing at bench time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveJavaUdfScript, TS_UDF_SCRIPT } from '../../bench/support/java-udf.ts';
import { splitSqlStatements, stripComments } from '../../src/flink/sql-script.ts';

const original = readFileSync(TS_UDF_SCRIPT, 'utf8');
const code = (script: string) =>
  splitSqlStatements(script).map((s) => stripComments(s.text).trim());

describe('the Java-UDF benchmark job derived from flink-sql/03', () => {
  const derived = deriveJavaUdfScript(original);

  it('swaps the jar, the function registration, the job name and the call, nothing else', () => {
    const before = code(original);
    const after = code(derived);
    expect(after).toHaveLength(before.length);
    const changed = after.flatMap((statement, i) => (statement === before[i] ? [] : [i]));
    expect(changed.map((i) => after[i]!.split('\n')[0])).toEqual([
      "SET 'pipeline.name' = 'featureflow-bench-transaction-features-java'",
      "ADD JAR '${JAVA_UDF_JAR}'",
      "CREATE TEMPORARY FUNCTION transaction_features_java AS 'dev.featureflow.bench.TransactionFeaturesJava'",
      'EXECUTE STATEMENT SET',
    ]);
    const statementSet = after[changed.at(-1)!]!;
    expect(statementSet).toContain('transaction_features_java(');
    expect(statementSet.replace('transaction_features_java(', 'transaction_features(')).toBe(
      before[changed.at(-1)!],
    );
  });

  it('refuses a script without the bridge module rather than benchmark a different job', () => {
    expect(() =>
      deriveJavaUdfScript(original.replace(/LOAD MODULE featureflow[^;]*;/, '')),
    ).toThrow(/0 LOAD MODULE featureflow statements where the Java job's derivation expects 1/);
  });
});
