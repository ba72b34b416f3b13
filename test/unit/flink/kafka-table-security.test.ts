import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveKafkaSecurity } from '../../../src/config/kafka-security.ts';
import { builtInJobRegistry } from '../../../src/core/jobs/load-definitions.ts';
import { jobSql } from '../../../src/flink/job-sql.ts';
import {
  jaasConfig,
  kafkaSecurityVars,
  withKafkaSecurity,
} from '../../../src/flink/kafka-table-security.ts';
import { fillPlaceholders, splitSqlStatements } from '../../../src/flink/sql-script.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'featureflow-ddl-security-'));
const CA = path.join(dir, "it's ca.pem");
writeFileSync(CA, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const PASSWORD = `p'w"d\\x`;
const security = resolveKafkaSecurity(
  {},
  {
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'PLAIN',
    KAFKA_SASL_USERNAME: 'app',
    KAFKA_SASL_PASSWORD: PASSWORD,
    KAFKA_SSL_CA: CA,
  },
);
const FLINK_SQL = path.resolve(import.meta.dirname, '../../../flink-sql');

/** The WITH options of each CREATE TABLE, parsed back from the SQL literals. */
function tableOptions(statements: readonly string[]): Map<string, Record<string, string>> {
  const tables = new Map<string, Record<string, string>>();
  for (const text of statements) {
    const name = /CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF NOT EXISTS\s+)?`?(\w+)/i.exec(text)?.[1];
    if (!name) continue;
    const withClause = text.slice(text.search(/\bWITH\s*\(/i));
    const options: Record<string, string> = {};
    for (const m of withClause.matchAll(/'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'/g)) {
      options[m[1]!.replaceAll("''", "'")] = m[2]!.replaceAll("''", "'");
    }
    tables.set(name, options);
  }
  return tables;
}

describe('Kafka security in Flink SQL', () => {
  it('adds protocol, mechanism, JAAS and PEM truststore to every Kafka table of every SQL file', () => {
    const files = readdirSync(FLINK_SQL).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThan(0);
    let kafkaTables = 0;
    for (const file of files) {
      const script = readFileSync(path.join(FLINK_SQL, file), 'utf8');
      const vars = {
        ...kafkaSecurityVars(security),
        KAFKA_BROKERS: 'b:9094',
        UDF_ADDRESS: 'u:1',
        FEATUREFLOW_BRIDGE_JAR: '/j.jar',
      };
      const rendered = splitSqlStatements(script).map((s) =>
        fillPlaceholders(withKafkaSecurity(s.text, security), vars, {}),
      );
      for (const [table, options] of tableOptions(rendered)) {
        if (!/kafka/.test(options.connector ?? '')) continue;
        kafkaTables++;
        expect(options, `${file} ${table}`).toMatchObject({
          'properties.security.protocol': 'SASL_SSL',
          'properties.sasl.mechanism': 'PLAIN',
          'properties.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="p'w\\"d\\\\x";`,
          'properties.ssl.truststore.type': 'PEM',
          'properties.ssl.truststore.location': CA,
        });
      }
    }
    expect(kafkaTables).toBeGreaterThanOrEqual(files.length);
  });

  it('puts placeholders, never the password, in what `sql` prints', () => {
    const job = builtInJobRegistry().get('transactions');
    const sql = withKafkaSecurity(
      jobSql(job, { sizeMs: 300_000, slideMs: 60_000, maxOutOfOrdernessMs: 5_000 }),
      security,
    );
    expect(sql).not.toContain(PASSWORD);
    const statements = splitSqlStatements(sql).map((s) => s.text);
    const kafkaTables = [...tableOptions(statements).values()].filter(
      (o) => o.connector === 'kafka',
    );
    expect(kafkaTables.length).toBeGreaterThan(0);
    for (const options of kafkaTables) {
      expect(options['properties.sasl.jaas.config']).toBe('${KAFKA_SASL_JAAS_CONFIG}');
    }
  });

  it('leaves a table that sets its protocol itself, and PLAINTEXT, as written', () => {
    const own =
      "CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'properties.security.protocol' = 'SSL')";
    expect(withKafkaSecurity(own, security)).toBe(own);
    const plain = "CREATE TABLE t (a INT) WITH ('connector' = 'kafka')";
    expect(withKafkaSecurity(plain, resolveKafkaSecurity({}, {}))).toBe(plain);
  });

  it('writes the SCRAM login module for SCRAM-SHA-512', () => {
    expect(jaasConfig({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' })).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
    );
  });

  it('refuses a password with a line break, without repeating it', () => {
    expect(() => jaasConfig({ mechanism: 'PLAIN', username: 'u', password: 'sec\nret' })).toThrow(
      /^KAFKA_SASL_PASSWORD holds a control character \(a line break or tab\), which a JAAS configuration cannot carry \(set it on one line\)$/,
    );
  });
});
