/**
 * The Kafka security flags every command that talks to Kafka shares; they override the
 * environment (src/config/kafka-security.ts). The password has no flag: KAFKA_SASL_PASSWORD only.
 */
import type { Command } from 'commander';
import { KAFKA_SASL_MECHANISMS, KAFKA_SECURITY_PROTOCOLS } from '../config/kafka-security.ts';

export function addKafkaSecurityOptions(command: Command): Command {
  return command
    .option(
      '--kafka-security-protocol <protocol>',
      `${KAFKA_SECURITY_PROTOCOLS.join(', ')} (default: KAFKA_SECURITY_PROTOCOL or PLAINTEXT)`,
    )
    .option(
      '--kafka-sasl-mechanism <mechanism>',
      `${KAFKA_SASL_MECHANISMS.join(', ')}; the password comes from KAFKA_SASL_PASSWORD (default: KAFKA_SASL_MECHANISM)`,
    )
    .option('--kafka-sasl-username <name>', 'SASL user (default: KAFKA_SASL_USERNAME)')
    .option(
      '--kafka-ssl-ca <file>',
      "PEM file of the CA that signed the brokers' certificates (default: KAFKA_SSL_CA, else the system's CAs)",
    );
}
