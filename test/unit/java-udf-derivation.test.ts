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

  it('swaps the module for the Java jar and functions, the job name and the call, nothing else', () => {
    const before = code(original);
    const after = code(derived);
    const moduleAt = before.findIndex((s) => s.startsWith('LOAD MODULE featureflow'));
    const registrations = [
      "ADD JAR '${JAVA_UDF_JAR}'",
      "CREATE TEMPORARY FUNCTION last_window_fire_time AS 'dev.featureflow.flink.LastWindowFireTime'",
      "CREATE TEMPORARY FUNCTION transaction_features_java AS 'dev.featureflow.bench.TransactionFeaturesJava'",
    ];
    expect(after.slice(moduleAt, moduleAt + 3)).toEqual(registrations);
    const aligned = [...after.slice(0, moduleAt), before[moduleAt], ...after.slice(moduleAt + 3)];
    expect(aligned).toHaveLength(before.length);
    const changed = aligned.flatMap((statement, i) => (statement === before[i] ? [] : [i]));
    expect(changed.map((i) => aligned[i]!.split('\n')[0])).toEqual([
      "SET 'pipeline.name' = 'featureflow-bench-transaction-features-java'",
      'EXECUTE STATEMENT SET',
    ]);
    expect(before).toContain("ADD JAR '${FEATUREFLOW_BRIDGE_JAR}'");
    expect(after).toContain("ADD JAR '${FEATUREFLOW_BRIDGE_JAR}'");
    const statementSet = aligned[changed.at(-1)!]!;
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
