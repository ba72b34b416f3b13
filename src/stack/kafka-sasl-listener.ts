/**
 * The local Kafka's optional SASL_SSL listener (`up --kafka-sasl-port`, docs/kafka-security.md):
 * a secured door beside the PLAINTEXT one, to try and test TLS + SASL on one machine.
 *
 * Made once per run folder and kept with its data: a self-signed CA and a broker certificate
 * for 127.0.0.1 and localhost (openssl, in a PKCS12 keystore the broker reads), and one user,
 * `featureflow`, with a random password for both PLAIN (a JAAS entry of the broker) and
 * SCRAM-SHA-512 (a credential written into the storage when it is formatted). The client
 * settings are written to `client.env` (mode 0600), ready for `set -a; . client.env`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FeatureflowError } from '../core/errors.ts';
import { isPortFree } from './ports.ts';

export const SASL_USER = 'featureflow';

export interface SaslListener {
  readonly port: number;
  readonly dir: string;
  /** The CA that signed the broker's certificate: KAFKA_SSL_CA of a client. */
  readonly caFile: string;
  /** KAFKA_BROKERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_CA for this listener. */
  readonly clientEnvFile: string;
  readonly username: string;
  readonly password: string;
  readonly keystoreFile: string;
  readonly keystorePassword: string;
}

interface Secrets {
  password: string;
  keystorePassword: string;
}

/** Generates what is missing (certificates, passwords) in `<kafkaDir>/sasl`, keeps the rest. */
export function prepareSaslListener(kafkaDir: string, port: number): SaslListener {
  const dir = path.join(kafkaDir, 'sasl');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secretsFile = path.join(dir, 'secrets.json');
  let secrets: Secrets;
  if (existsSync(secretsFile)) {
    secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Secrets;
  } else {
    // Hex: nothing to escape in server.properties, JAAS or a shell.
    secrets = {
      password: randomBytes(16).toString('hex'),
      keystorePassword: randomBytes(16).toString('hex'),
    };
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  }
  const caFile = path.join(dir, 'ca.pem');
  const keystoreFile = path.join(dir, 'broker.p12');
  if (!existsSync(keystoreFile)) makeCertificates(dir, keystoreFile, secrets.keystorePassword);
  const listener: SaslListener = Object.freeze({
    port,
    dir,
    caFile,
    clientEnvFile: path.join(dir, 'client.env'),
    username: SASL_USER,
    password: secrets.password,
    keystoreFile,
    keystorePassword: secrets.keystorePassword,
  });
  writeFileSync(listener.clientEnvFile, renderClientEnv(listener), { mode: 0o600 });
  chmodSync(listener.clientEnvFile, 0o600);
  return listener;
}

function renderClientEnv(listener: SaslListener): string {
  return [
    '# Written by `featureflow up`: the settings of its SASL_SSL listener (docs/kafka-security.md).',
    '# KAFKA_SASL_MECHANISM may also be PLAIN: the user has both.',
    `KAFKA_BROKERS=127.0.0.1:${listener.port}`,
    'KAFKA_SECURITY_PROTOCOL=SASL_SSL',
    'KAFKA_SASL_MECHANISM=SCRAM-SHA-512',
    `KAFKA_SASL_USERNAME=${listener.username}`,
    `KAFKA_SASL_PASSWORD=${listener.password}`,
    `KAFKA_SSL_CA=${listener.caFile}`,
    '',
  ].join('\n');
}

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new FeatureflowError(
      'failed_precondition',
      `openssl ${args[0]} failed while making the SASL_SSL listener's certificates in ${cwd}: ${stderr || (error as Error).message} (install openssl, or start without --kafka-sasl-port)`,
      { cause: error, context: { dir: cwd } },
    );
  }
}

function makeCertificates(dir: string, keystoreFile: string, keystorePassword: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=featureflow local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'broker.key',
      '-out',
      'broker.csr',
      '-subj',
      '/CN=localhost',
    ],
    dir,
  );
  // Clients check the name they dialled against the certificate: both loopback names.
  writeFileSync(
    path.join(dir, 'broker.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'broker.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'broker.pem',
      '-days',
      '825',
      '-extfile',
      'broker.ext',
    ],
    dir,
  );
  openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      'broker.pem',
      '-inkey',
      'broker.key',
      '-certfile',
      'ca.pem',
      '-name',
      'broker',
      '-out',
      keystoreFile,
      '-passout',
      `pass:${keystorePassword}`,
    ],
    dir,
  );
}

/** The broker settings of the listener, all scoped to it: PLAINTEXT stays as it was. */
export function saslListenerProperties(listener: SaslListener): string[] {
  const prefix = 'listener.name.sasl_ssl';
  return [
    '# The SASL_SSL listener (up --kafka-sasl-port): TLS with the run folder CA, PLAIN + SCRAM.',
    `${prefix}.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512`,
    `${prefix}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${listener.username}="${listener.password}";`,
    `${prefix}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${prefix}.ssl.keystore.type=PKCS12`,
    `${prefix}.ssl.keystore.location=${listener.keystoreFile}`,
    `${prefix}.ssl.keystore.password=${listener.keystorePassword}`,
    `${prefix}.ssl.key.password=${listener.keystorePassword}`,
  ];
}

/** `kafka-storage format` arguments that store the SCRAM credential (KRaft: at format time). */
export function saslFormatArguments(listener: SaslListener): string[] {
  return ['--add-scram', `SCRAM-SHA-512=[name=${listener.username},password=${listener.password}]`];
}

const scramMarkerOf = (listener: SaslListener) => path.join(listener.dir, 'scram-stored');

/** After a format with saslFormatArguments: the storage holds the SCRAM credential. */
export function markScramStored(listener: SaslListener): void {
  writeFileSync(scramMarkerOf(listener), '');
}

/**
 * A storage formatted before the listener was asked for has no SCRAM credential, and KRaft
 * adds one at format time only (or through a running broker's admin API, which this stack's
 * client cannot call): say so rather than start a listener that refuses SCRAM.
 */
export function assertScramStored(listener: SaslListener, dataDir: string): void {
  if (existsSync(scramMarkerOf(listener))) return;
  throw new FeatureflowError(
    'failed_precondition',
    `Kafka's storage in ${dataDir} was formatted without the SASL_SSL listener's SCRAM user (remove the stack's data with 'featureflow down --purge', then 'featureflow up --kafka-sasl-port ${listener.port}')`,
    { context: { dataDir } },
  );
}

export async function assertSaslPortFree(port: number): Promise<void> {
  if (await isPortFree(port)) return;
  throw new FeatureflowError(
    'conflict',
    `port ${port} for Kafka's SASL_SSL listener is already in use (stop what listens there, or choose another port with --kafka-sasl-port or FEATUREFLOW_KAFKA_SASL_PORT)`,
    { context: { port } },
  );
}

/** One line for `up`: where the listener is and where its client settings are, no secret. */
export function describeSaslListener(listener: SaslListener): string {
  return `Kafka SASL_SSL listener on 127.0.0.1:${listener.port} (PLAIN and SCRAM-SHA-512, user ${listener.username}); client settings: ${listener.clientEnvFile}`;
}
