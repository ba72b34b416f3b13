/**
 * Sends keyed messages to Kafka in batches, with a bounded number of batches in flight so a
 * fast reader cannot queue unbounded memory. `flush` resolves when everything sent so far is
 * acknowledged by the broker (acks from all in-sync replicas).
 */
import { describeError, FeatureflowError } from '../core/errors.ts';
import { isFatalKafkaError } from './kafka-retry.ts';
import type { KafkaClient, KafkaHeaders, KafkaProducer } from './kafka-types.ts';

export interface OutgoingMessage {
  key: Buffer | string | null;
  value: Buffer;
  headers?: KafkaHeaders;
}

export interface MessageProducerOptions {
  batchMessages?: number;
  maxBatchesInFlight?: number;
}

export class MessageProducer {
  private readonly producer: KafkaProducer;
  private readonly pending = new Map<string, OutgoingMessage[]>();
  private pendingCount = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private acknowledged = 0;
  private readonly batchMessages: number;
  private readonly maxBatchesInFlight: number;

  constructor(
    client: KafkaClient,
    private readonly brokers: readonly string[],
    options: MessageProducerOptions = {},
  ) {
    // One request in flight: two concurrent batches can land in either order, and then a
    // partition no longer holds its events in the order they were read: a file's first events
    // can land after its later ones, and a consumer then sees them as late.
    this.producer = client.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
    });
    this.batchMessages = options.batchMessages ?? 5_000;
    this.maxBatchesInFlight = options.maxBatchesInFlight ?? 1;
  }

  get acknowledgedCount(): number {
    return this.acknowledged;
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      if (isFatalKafkaError(error)) {
        throw new FeatureflowError(
          'failed_precondition',
          `Kafka at ${this.brokers.join(',')} refused this client: ${describeError(error)} (check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM, and the client's ACLs)`,
          { cause: error, context: { brokers: this.brokers } },
        );
      }
      throw new FeatureflowError(
        'unavailable',
        `cannot connect to Kafka at ${this.brokers.join(',')}: ${describeError(error)} (is the stack up? try 'featureflow up', or set KAFKA_BROKERS / --brokers)`,
        { cause: error, context: { brokers: this.brokers } },
      );
    }
  }

  /** Queues a message; waits only when the batches in flight are at their limit. */
  async send(topic: string, message: OutgoingMessage): Promise<void> {
    this.throwIfFailed();
    let queue = this.pending.get(topic);
    if (queue === undefined) {
      queue = [];
      this.pending.set(topic, queue);
    }
    queue.push(message);
    this.pendingCount++;
    if (this.pendingCount >= this.batchMessages) await this.dispatch();
  }

  /** Sends what is queued and waits for every acknowledgement. */
  async flush(): Promise<void> {
    await this.dispatch();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  private async dispatch(): Promise<void> {
    if (this.pendingCount === 0) return;
    const topicMessages = [...this.pending].map(([topic, messages]) => ({ topic, messages }));
    const count = this.pendingCount;
    this.pending.clear();
    this.pendingCount = 0;
    while (this.inFlight.size >= this.maxBatchesInFlight) await Promise.race(this.inFlight);
    const sending = this.producer
      .sendBatch({ topicMessages, acks: -1 })
      .then(() => {
        this.acknowledged += count;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.inFlight.delete(sending);
      });
    this.inFlight.add(sending);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      throw new FeatureflowError(
        'unavailable',
        `Kafka at ${this.brokers.join(',')} did not take a batch: ${describeError(this.failure)} (check the broker log and that the topics exist: 'featureflow status')`,
        { cause: this.failure },
      );
    }
  }
}
