/**
 * How featureflow talks to a secured Kafka (docs/kafka-security.md): the one place that reads
 * KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and
 * KAFKA_SSL_CA. Flags override the environment; nothing set means PLAINTEXT, as before.
 *
 * The password has no flag on purpose: a command line is visible to every user of the machine
 * (`ps`) and lands in shell history, the environment does not.
 */
import { readFileSync } from 'node:fs';
import { FeatureflowError } from '../core/errors.ts';

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const KAFKA_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-512'] as const;

export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface KafkaSasl {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

export interface KafkaTls {
  /** A PEM file of the CA(s) that signed the brokers' certificates; none: the system's CAs. */
  readonly caFile: string | undefined;
  readonly caPem: string | undefined;
}

export interface KafkaSecurity {
  readonly protocol: KafkaSecurityProtocol;
  /** Set for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl: KafkaSasl | undefined;
  /** Set for SSL and SASL_SSL. */
  readonly tls: KafkaTls | undefined;
}

export interface KafkaSecurityFlags {
  kafkaSecurityProtocol?: string | undefined;
  kafkaSaslMechanism?: string | undefined;
  kafkaSaslUsername?: string | undefined;
  kafkaSslCa?: string | undefined;
}

export const PLAINTEXT_SECURITY: KafkaSecurity = Object.freeze({
  protocol: 'PLAINTEXT',
  sasl: undefined,
  tls: undefined,
});

const NAMES = Object.freeze({
  protocol: 'KAFKA_SECURITY_PROTOCOL / --kafka-security-protocol',
  mechanism: 'KAFKA_SASL_MECHANISM / --kafka-sasl-mechanism',
  username: 'KAFKA_SASL_USERNAME / --kafka-sasl-username',
  password: 'KAFKA_SASL_PASSWORD',
  ca: 'KAFKA_SSL_CA / --kafka-ssl-ca',
});

const usage = (message: string, field: string) =>
  new FeatureflowError('invalid_argument', message, { context: { field } });

/** An unset or blank value is not set: `KAFKA_SSL_CA=` in a .env file means "none". */
function setting(flag: string | undefined, env: string | undefined): string | undefined {
  const value = flag ?? env;
  return value === undefined || value.trim() === '' ? undefined : value;
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  name: string,
): T | undefined {
  const upper = value.trim().toUpperCase();
  const found = allowed.find((candidate) => candidate === upper);
  if (found === undefined) {
    throw usage(
      `${name} is not a known value: '${value}' (use one of ${allowed.join(', ')})`,
      name,
    );
  }
  return found;
}

export function resolveKafkaSecurity(
  flags: KafkaSecurityFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): KafkaSecurity {
  const protocolText = setting(flags.kafkaSecurityProtocol, env.KAFKA_SECURITY_PROTOCOL);
  const mechanismText = setting(flags.kafkaSaslMechanism, env.KAFKA_SASL_MECHANISM);
  const username = setting(flags.kafkaSaslUsername, env.KAFKA_SASL_USERNAME);
  // A password is taken as written: leading or trailing spaces can be part of it.
  const password = env.KAFKA_SASL_PASSWORD === '' ? undefined : env.KAFKA_SASL_PASSWORD;
  const caFile = setting(flags.kafkaSslCa, env.KAFKA_SSL_CA);

  const protocol =
    protocolText === undefined
      ? 'PLAINTEXT'
      : oneOf(protocolText, KAFKA_SECURITY_PROTOCOLS, NAMES.protocol)!;
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';

  if (!usesSasl) {
    // A credential that would be ignored is a mistake to say, not to drop silently.
    const given = [
      mechanismText && NAMES.mechanism,
      username && NAMES.username,
      password && NAMES.password,
    ].filter(Boolean);
    if (given.length > 0) {
      throw usage(
        `${given.join(', ')} set, but ${NAMES.protocol} is ${protocol}, which sends no credentials (set it to SASL_SSL or SASL_PLAINTEXT, or unset them)`,
        'protocol',
      );
    }
  }
  if (!usesTls && caFile !== undefined) {
    throw usage(
      `${NAMES.ca} is set ('${caFile}'), but ${NAMES.protocol} is ${protocol}, which uses no TLS (set it to SSL or SASL_SSL, or unset the CA)`,
      'ca',
    );
  }

  let sasl: KafkaSasl | undefined;
  if (usesSasl) {
    const missing = [
      mechanismText === undefined &&
        `${NAMES.mechanism} (one of ${KAFKA_SASL_MECHANISMS.join(', ')})`,
      username === undefined && NAMES.username,
      password === undefined && NAMES.password,
    ].filter(Boolean);
    if (missing.length > 0) {
      throw usage(`${protocol} needs ${missing.join(', ')}: not set`, 'sasl');
    }
    sasl = Object.freeze({
      mechanism: oneOf(mechanismText!, KAFKA_SASL_MECHANISMS, NAMES.mechanism)!,
      username: username!,
      password: password!,
    });
  }

  let tls: KafkaTls | undefined;
  if (usesTls) {
    tls = Object.freeze({ caFile, caPem: caFile === undefined ? undefined : readCa(caFile) });
  }
  return Object.freeze({ protocol, sasl, tls });
}

function readCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FeatureflowError(
      'invalid_argument',
      `${NAMES.ca} cannot be read: '${file}': ${(error as Error).message} (name a PEM file of the brokers' CA)`,
      { cause: error, context: { field: 'ca' } },
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw usage(
      `${NAMES.ca} is not a PEM certificate: '${file}' (expected '-----BEGIN CERTIFICATE-----'; convert a JKS truststore with keytool -exportcert -rfc)`,
      'ca',
    );
  }
  return text;
}

/** One line for start-up logs: the protocol, mechanism and user, never the password. */
export function describeKafkaSecurity(security: KafkaSecurity): string {
  if (security.sasl === undefined) return security.protocol;
  return `${security.protocol} ${security.sasl.mechanism} as ${security.sasl.username}`;
}
