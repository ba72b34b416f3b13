/**
 * The one place featureflow builds kafkajs clients. kafkajs is unmaintained since 2023, so its
 * types stay behind this folder (src/kafka); the rest of the code sees small adapters.
 */
import type { Kafka as KafkaClient, logCreator, Producer, ProducerConfig } from 'kafkajs';
import kafkajs from './kafkajs.ts';

const { Kafka, logLevel, Partitioners } = kafkajs;

export type { KafkaClient };

export interface KafkaClientOptions {
  clientId: string;
  brokers: readonly string[];
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** kafkajs's own retries for one request; callers add their own backoff around whole steps. */
  retries?: number;
}

/** kafkajs logs warnings through this instead of its JSON console lines. */
const stderrLogCreator: logCreator =
  () =>
  ({ namespace, level, log }) => {
    if (level > logLevel.WARN) return;
    const { message, error } = log as { message: string; error?: string };
    process.stderr.write(`kafka ${namespace}: ${message}${error ? ` (${error})` : ''}\n`);
  };

/** kafkajs's retries of one request; consumers take these and add their restart policy. */
export const KAFKA_RETRY = Object.freeze({
  retries: 5,
  initialRetryTime: 200,
  maxRetryTime: 5_000,
});

/**
 * Every featureflow producer: the Java client's murmur2 partitioner, so the same key lands on
 * the same partition whichever client produced it (and kafkajs has no default to warn about).
 */
export function createProducer(client: KafkaClient, config: ProducerConfig = {}): Producer {
  return client.producer({ ...config, createPartitioner: Partitioners.DefaultPartitioner });
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { ...KAFKA_RETRY, retries: options.retries ?? KAFKA_RETRY.retries },
    logLevel: logLevel.WARN,
    logCreator: stderrLogCreator,
  });
}
