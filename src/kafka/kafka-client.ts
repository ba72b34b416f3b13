/**
 * The one place featureflow builds kafkajs clients. kafkajs is unmaintained since 2023, so its
 * types stay behind this folder (src/kafka); the rest of the code sees small adapters.
 */
import kafkajs, { type Kafka as KafkaClient, type logCreator } from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

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

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: stderrLogCreator,
  });
}
