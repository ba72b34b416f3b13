/**
 * Kafka security for Flink SQL Kafka tables (docs/kafka-security.md): `sql` and `submit` add
 * the client properties to every `'connector' = 'kafka'` (or 'upsert-kafka') table that does not
 * set 'properties.security.protocol' itself, so the job files stay free of security settings.
 *
 * The options are added as `${...}` placeholders inside string literals, filled by `submit` like
 * every other placeholder (escaped as SQL literals, control characters refused): the printed
 * file of `sql` never holds the password, and no value can end its literal.
 */
import type { KafkaSasl, KafkaSecurity } from '../config/kafka-security.ts';
import { FeatureflowError } from '../core/errors.ts';

const KAFKA_CONNECTOR = /'connector'\s*=\s*'(?:upsert-)?kafka'/gi;
const SETS_PROTOCOL = /'properties\.security\.protocol'\s*=/i;

/** The table options for `security`, values as placeholders; none for PLAINTEXT. */
export function kafkaSecurityOptions(security: KafkaSecurity): [string, string][] {
  if (security.protocol === 'PLAINTEXT') return [];
  const options: [string, string][] = [
    ['properties.security.protocol', '${KAFKA_SECURITY_PROTOCOL}'],
  ];
  if (security.sasl !== undefined) {
    options.push(['properties.sasl.mechanism', '${KAFKA_SASL_MECHANISM}']);
    options.push(['properties.sasl.jaas.config', '${KAFKA_SASL_JAAS_CONFIG}']);
  }
  if (security.tls?.caFile !== undefined) {
    // Kafka reads a PEM file as a truststore of that type: no keytool step. The path is read
    // by each TaskManager, so it must exist there.
    options.push(['properties.ssl.truststore.type', 'PEM']);
    options.push(['properties.ssl.truststore.location', '${KAFKA_SSL_CA}']);
  }
  return options;
}

/**
 * Adds the options after the connector option of each Kafka table in `sql` (one statement or a
 * whole script); a table whose statement sets the protocol itself is left as written.
 */
export function withKafkaSecurity(sql: string, security: KafkaSecurity): string {
  const options = kafkaSecurityOptions(security);
  if (options.length === 0) return sql;
  let result = '';
  let copied = 0;
  for (const match of sql.matchAll(KAFKA_CONNECTOR)) {
    const at = match.index + match[0].length;
    const statementStart = sql.lastIndexOf(';', match.index) + 1;
    const next = sql.indexOf(';', at);
    const statement = sql.slice(statementStart, next === -1 ? sql.length : next);
    if (SETS_PROTOCOL.test(statement)) continue;
    const lineStart = sql.lastIndexOf('\n', match.index) + 1;
    const indent = /^\s*/.exec(sql.slice(lineStart, match.index))?.[0] ?? '  ';
    result += sql.slice(copied, at);
    result += options.map(([key, value]) => `,\n${indent}'${key}' = '${value}'`).join('');
    copied = at;
  }
  return result + sql.slice(copied);
}

/** The values of the placeholders above, for `submit`. */
export function kafkaSecurityVars(security: KafkaSecurity): Record<string, string> {
  const vars: Record<string, string> = { KAFKA_SECURITY_PROTOCOL: security.protocol };
  if (security.sasl !== undefined) {
    vars.KAFKA_SASL_MECHANISM = security.sasl.mechanism;
    vars.KAFKA_SASL_JAAS_CONFIG = jaasConfig(security.sasl);
  }
  if (security.tls?.caFile !== undefined) vars.KAFKA_SSL_CA = security.tls.caFile;
  return vars;
}

const LOGIN_MODULES = Object.freeze({
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
});

/**
 * sasl.jaas.config for the user. JAAS reads option values as double-quoted strings with
 * backslash escapes, so a quote or backslash in a name or password is escaped, not an end.
 */
export function jaasConfig(sasl: KafkaSasl): string {
  return `${LOGIN_MODULES[sasl.mechanism]} required username="${jaasString(sasl.username, 'KAFKA_SASL_USERNAME')}" password="${jaasString(sasl.password, 'KAFKA_SASL_PASSWORD')}";`;
}

function jaasString(value: string, name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    // The value itself is not repeated: it may be the password.
    throw new FeatureflowError(
      'invalid_argument',
      `${name} holds a control character (a line break or tab), which a JAAS configuration cannot carry (set it on one line)`,
      { context: { field: name } },
    );
  }
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}
