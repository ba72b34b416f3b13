import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeKafkaSecurity, resolveKafkaSecurity } from '../../../src/config/kafka-security.ts';
import { FeatureflowError } from '../../../src/core/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'featureflow-kafka-security-'));
const CA = path.join(dir, 'ca.pem');
writeFileSync(CA, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const NOT_PEM = path.join(dir, 'truststore.jks');
writeFileSync(NOT_PEM, 'binary');

const SASL_SSL = {
  KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
  KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
  KAFKA_SASL_USERNAME: 'app',
  KAFKA_SASL_PASSWORD: ' s3cret with spaces ',
  KAFKA_SSL_CA: CA,
};

function usageError(env: NodeJS.ProcessEnv, flags = {}): FeatureflowError {
  try {
    resolveKafkaSecurity(flags, env);
  } catch (error) {
    expect(error).toBeInstanceOf(FeatureflowError);
    expect((error as FeatureflowError).code).toBe('invalid_argument'); // exit 2
    return error as FeatureflowError;
  }
  throw new Error('expected a usage error');
}

describe('resolveKafkaSecurity', () => {
  it('is PLAINTEXT when nothing is set, as before', () => {
    expect(resolveKafkaSecurity({}, {})).toEqual({
      protocol: 'PLAINTEXT',
      sasl: undefined,
      tls: undefined,
    });
  });

  it('reads SASL_SSL from the environment, the CA from its file, the password as written', () => {
    const security = resolveKafkaSecurity({}, SASL_SSL);
    expect(security.protocol).toBe('SASL_SSL');
    expect(security.sasl).toEqual({
      mechanism: 'SCRAM-SHA-512',
      username: 'app',
      password: ' s3cret with spaces ',
    });
    expect(security.tls?.caFile).toBe(CA);
    expect(security.tls?.caPem).toContain('BEGIN CERTIFICATE');
    expect(Object.isFrozen(security)).toBe(true);
    expect(describeKafkaSecurity(security)).toBe('SASL_SSL SCRAM-SHA-512 as app');
  });

  it('lets flags override the environment, names case-insensitive', () => {
    const security = resolveKafkaSecurity(
      {
        kafkaSecurityProtocol: 'sasl_plaintext',
        kafkaSaslMechanism: 'plain',
        kafkaSaslUsername: 'cli',
      },
      { ...SASL_SSL, KAFKA_SSL_CA: '' },
    );
    expect(security).toMatchObject({
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'PLAIN', username: 'cli' },
      tls: undefined,
    });
  });

  it('SSL without a CA uses the system CAs', () => {
    expect(resolveKafkaSecurity({}, { KAFKA_SECURITY_PROTOCOL: 'SSL' }).tls).toEqual({
      caFile: undefined,
      caPem: undefined,
    });
  });

  it.each([
    [
      { KAFKA_SECURITY_PROTOCOL: 'TLS' },
      "KAFKA_SECURITY_PROTOCOL / --kafka-security-protocol is not a known value: 'TLS' (use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)",
    ],
    [
      { ...SASL_SSL, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' },
      "KAFKA_SASL_MECHANISM / --kafka-sasl-mechanism is not a known value: 'SCRAM-SHA-256' (use one of PLAIN, SCRAM-SHA-512)",
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'app' },
      'SASL_SSL needs KAFKA_SASL_MECHANISM / --kafka-sasl-mechanism (one of PLAIN, SCRAM-SHA-512), KAFKA_SASL_PASSWORD: not set',
    ],
    [
      { KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD: 'x' },
      'KAFKA_SASL_USERNAME / --kafka-sasl-username, KAFKA_SASL_PASSWORD set, but KAFKA_SECURITY_PROTOCOL / --kafka-security-protocol is PLAINTEXT, which sends no credentials (set it to SASL_SSL or SASL_PLAINTEXT, or unset them)',
    ],
    [
      {
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: 'a',
        KAFKA_SASL_PASSWORD: 'b',
        KAFKA_SSL_CA: CA,
      },
      `KAFKA_SSL_CA / --kafka-ssl-ca is set ('${CA}'), but KAFKA_SECURITY_PROTOCOL / --kafka-security-protocol is SASL_PLAINTEXT, which uses no TLS (set it to SSL or SASL_SSL, or unset the CA)`,
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA: NOT_PEM },
      `KAFKA_SSL_CA / --kafka-ssl-ca is not a PEM certificate: '${NOT_PEM}' (expected '-----BEGIN CERTIFICATE-----'; convert a JKS truststore with keytool -exportcert -rfc)`,
    ],
  ])('refuses %j', (env, message) => {
    expect(usageError(env).message).toBe(message);
  });

  it('names a CA file it cannot read', () => {
    const missing = path.join(dir, 'missing.pem');
    expect(usageError({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA: missing }).message).toMatch(
      new RegExp(
        `^KAFKA_SSL_CA / --kafka-ssl-ca cannot be read: '${missing}': ENOENT.*\\(name a PEM file of the brokers' CA\\)$`,
      ),
    );
  });

  it('never puts the password in a message', () => {
    const error = usageError({ ...SASL_SSL, KAFKA_SASL_MECHANISM: 'GSSAPI' });
    expect(error.message).not.toContain('s3cret');
  });
});
