/**
 * The one place featureflow builds Kafka clients. kafkajs is unmaintained since 2023, so its
 * types stay behind this folder (src/kafka): the rest of the code sees kafka-types.ts.
 */
import type { Kafka, logCreator, SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../config/kafka-security.ts';
import { createGroupConsumer } from './group-consumer.ts';
import { KAFKA_RETRY } from './kafka-retry.ts';
import type { KafkaAdmin, KafkaClient, KafkaProducer, ProducerOptions } from './kafka-types.ts';
import kafkajs from './kafkajs.ts';

const { Kafka: KafkaJs, logLevel, Partitioners } = kafkajs;

export type { KafkaClient };

export interface KafkaClientOptions {
  clientId: string;
  brokers: readonly string[];
  /** TLS and SASL (config/kafka-security.ts); none: PLAINTEXT. */
  security?: KafkaSecurity | undefined;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The client's own retries for one request; callers add their own backoff around whole steps. */
  retries?: number;
  /** No client log lines at all: for callers that poll and report themselves. */
  quiet?: boolean;
}

/** kafkajs logs warnings through this instead of its JSON console lines. */
const stderrLogCreator: logCreator =
  () =>
  ({ namespace, level, log }) => {
    if (level > logLevel.WARN) return;
    const { message, error } = log as { message: string; error?: string };
    process.stderr.write(`kafka ${namespace}: ${message}${error ? ` (${error})` : ''}\n`);
  };

function saslOf(security: KafkaSecurity | undefined): SASLOptions | undefined {
  const sasl = security?.sasl;
  if (sasl === undefined) return undefined;
  const { username, password } = sasl;
  return sasl.mechanism === 'PLAIN'
    ? { mechanism: 'plain', username, password }
    : { mechanism: 'scram-sha-512', username, password };
}

function tlsOf(security: KafkaSecurity | undefined) {
  const tls = security?.tls;
  if (tls === undefined) return undefined;
  return tls.caPem === undefined ? true : { ca: [tls.caPem] };
}

/**
 * Every featureflow producer: the Java client's murmur2 partitioner, so the same key lands on
 * the same partition whichever client produced it (and kafkajs has no default to warn about).
 */
function createProducer(client: Kafka, options: ProducerOptions = {}): KafkaProducer {
  return client.producer({ ...options, createPartitioner: Partitioners.DefaultPartitioner });
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  const brokers = Object.freeze([...options.brokers]);
  const sasl = saslOf(options.security);
  const ssl = tlsOf(options.security);
  const client = new KafkaJs({
    clientId: options.clientId,
    brokers: [...brokers],
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined ? {} : { sasl }),
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { ...KAFKA_RETRY, retries: options.retries ?? KAFKA_RETRY.retries },
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: stderrLogCreator,
  });
  return {
    brokers,
    admin: (): KafkaAdmin => client.admin(),
    producer: (producerOptions) => createProducer(client, producerOptions),
    consumer: (consumerOptions) => createGroupConsumer(client, brokers, consumerOptions),
  };
}
