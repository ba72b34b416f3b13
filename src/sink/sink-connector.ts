/**
 * The Redis sink connector: Kafka features.* -> decode -> FeatureSink (newest window wins) ->
 * commit. Offsets are committed only after every row of the batch is written or dead-lettered:
 * undecodable messages and rows Redis can never take (WRONGTYPE) go to `<topic>.dlq` with the
 * reason in headers; Redis down, out of memory or read-only means retrying the rows still
 * waiting with backoff (the group session kept alive), never a skipped message.
 */
import type { KafkaSecurity } from '../config/kafka-security.ts';
import { resolveLifecycle } from '../config/lifecycle.ts';
import { describeError, FeatureflowError } from '../core/errors.ts';
import type { JobDefinition, WindowedFeatureRow } from '../core/jobs/job-definition.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { DEAD_LETTERS } from '../core/metrics.ts';
import { createFeatureSink, type FeatureSink } from '../core/sinks/redis-feature-sink.ts';
import { logRowOutcomes } from '../core/sinks/row-outcomes-log.ts';
import { writeFeaturesUntilDone } from '../core/sinks/write-until-done.ts';
import { AvroDeserializer } from '../core/utils/avro.ts';
import { SchemaDirectory } from '../core/utils/schema-directory.ts';
import { deadLetterMessage, deadLetterTopicOf } from '../kafka/dead-letter-headers.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import { retryKafka } from '../kafka/kafka-retry.ts';
import type { BatchContext, GroupConsumer, KafkaAdmin, KafkaRecord } from '../kafka/kafka-types.ts';
import { MessageProducer } from '../kafka/message-producer.ts';
import { assertTopicsExist } from '../kafka/topic-check.ts';

export interface SinkConnectorOptions {
  brokers: readonly string[];
  /** TLS and SASL settings of Kafka (config/kafka-security.ts); none: PLAINTEXT. */
  kafkaSecurity?: KafkaSecurity;
  redisUrl: string;
  groupId: string;
  /** Feature topics and the job feature topic whose schema each carries. */
  topics: ReadonlyArray<{ topic: string; schemaTopic: string }>;
  /** The jobs whose feature topics these are. */
  jobs: JobRegistry;
  ttlMs?: number;
  /** How long Kafka may stay unreachable (starting, or crashed and restarting); see LIFECYCLE_DEFAULTS. */
  kafkaRetryTimeoutMs?: number;
  log: (line: string) => void;
}

export class SinkConnector {
  readonly counters = { messages: 0, written: 0, stale: 0, failed: 0, deadLetters: 0 };
  /** Per topic, the largest window_end written so far (progress for callers like the demo). */
  readonly newestWindowEnd = new Map<string, number>();
  private readonly consumer: GroupConsumer;
  private readonly producer: MessageProducer;
  private readonly sink: FeatureSink;
  private readonly deserializer: AvroDeserializer;
  private readonly jobs = new Map<string, { schemaTopic: string; job: JobDefinition }>();
  private stopping = false;
  private readonly admin: KafkaAdmin;
  private readonly kafkaRetryTimeoutMs: number;
  /** Rejects with the first error Kafka will not recover from, once running. */
  readonly failed: Promise<never>;

  constructor(private readonly options: SinkConnectorOptions) {
    const kafka = createKafkaClient({
      clientId: 'featureflow-sink',
      brokers: options.brokers,
      security: options.kafkaSecurity,
    });
    this.kafkaRetryTimeoutMs =
      options.kafkaRetryTimeoutMs ?? resolveLifecycle().kafkaRetryTimeoutMs;
    // read_committed: rows of an exactly-once Flink sink count only once their checkpoint does.
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readCommitted: true,
      // A crashed consumer restarts while Kafka has answered within the retry timeout; then
      // the process exits non-zero so a supervisor sees it.
      giveUpAfterMs: this.kafkaRetryTimeoutMs,
      log: options.log,
    });
    this.failed = this.consumer.failed;
    this.admin = kafka.admin();
    this.producer = new MessageProducer(kafka, options.brokers);
    this.sink = createFeatureSink({
      redisUrl: options.redisUrl,
      ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}),
    });
    this.deserializer = new AvroDeserializer(new SchemaDirectory(), options.jobs);
    for (const { topic, schemaTopic } of options.topics) {
      const job = options.jobs.jobOfFeatureTopic(schemaTopic);
      if (!job) {
        throw new FeatureflowError(
          'invalid_argument',
          `${schemaTopic} is not the feature topic of any job (feature topics: ${options.jobs.featureTopics.join(', ')}; a job of your own is loaded with --definitions or FEATUREFLOW_DEFINITIONS)`,
          { context: { topic: schemaTopic } },
        );
      }
      this.jobs.set(topic, { schemaTopic, job });
    }
  }

  /** Connects (retrying within the Kafka retry timeout) and starts consuming. */
  async start(): Promise<void> {
    const retry = {
      brokers: this.options.brokers,
      timeoutMs: this.kafkaRetryTimeoutMs,
      log: this.options.log,
      stopping: () => this.stopping,
    };
    const topics = [...this.jobs.keys()];
    await retryKafka(() => this.producer.connect(), { ...retry, what: 'connecting' });
    await retryKafka(() => this.admin.connect(), { ...retry, what: 'connecting' });
    await retryKafka(() => assertTopicsExist(this.admin, topics, this.options.brokers), {
      ...retry,
      what: `looking up ${topics.join(', ')}`,
    });
    await this.admin.disconnect();
    await retryKafka(() => this.consumer.connect(), { ...retry, what: 'connecting' });
    await this.consumer.subscribe(topics, { fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      autoResolve: false,
      eachBatch: (context) => this.handleBatch(context),
    });
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.consumer.disconnect();
    await this.admin.disconnect();
    await this.producer.disconnect();
    await this.sink.close();
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: BatchContext): Promise<void> {
    const { schemaTopic, job } = this.jobs.get(batch.topic)!;
    const rows: WindowedFeatureRow[] = [];
    // Each row's message, to dead-letter the original bytes if Redis refuses the row for good.
    const messageOf = new Map<WindowedFeatureRow, KafkaRecord>();
    let last: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      this.counters.messages++;
      const decoded = this.deserializer.deserializeMessage(batch.topic, message.value, schemaTopic);
      if (decoded.ok) {
        const row = { ...(decoded.value as WindowedFeatureRow) };
        rows.push(row);
        messageOf.set(row, message);
      } else {
        this.counters.deadLetters++;
        DEAD_LETTERS.inc({ job: job.name, reason: decoded.reason });
        await this.producer.send(
          deadLetterTopicOf(batch.topic),
          deadLetterMessage({
            origin: {
              kind: 'kafka',
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
            },
            problem: decoded,
            key: message.key,
            value: message.value ?? Buffer.alloc(0),
            headers: message.headers,
          }),
        );
      }
      last = message.offset;
    }
    if (last === undefined) return;
    await this.producer.flush();
    const result = await writeFeaturesUntilDone(this.sink, rows, job, {
      log: this.options.log,
      onRetry: () => heartbeat().catch(() => undefined),
    });
    this.counters.written += result.written;
    this.counters.stale += result.stale;
    this.counters.failed += result.failed;
    let newest = this.newestWindowEnd.get(batch.topic) ?? Number.NEGATIVE_INFINITY;
    for (const row of rows) if (row.window_end > newest) newest = row.window_end;
    if (rows.length > 0) this.newestWindowEnd.set(batch.topic, newest);
    logRowOutcomes(result, this.options.log);
    for (const failure of result.failures) {
      const message = messageOf.get(failure.row);
      this.counters.deadLetters++;
      DEAD_LETTERS.inc({ job: job.name, reason: 'redis_refused' });
      await this.producer.send(
        deadLetterTopicOf(batch.topic),
        deadLetterMessage({
          origin:
            message === undefined
              ? {
                  kind: 'window',
                  job: job.name,
                  entityId: failure.entity_id,
                  windowEnd: failure.window_end,
                }
              : {
                  kind: 'kafka',
                  topic: batch.topic,
                  partition: batch.partition,
                  offset: message.offset,
                },
          problem: { ok: false, reason: 'redis_refused', field: '', message: failure.reason },
          key: message?.key ?? failure.entity_id,
          value: message?.value ?? Buffer.from(JSON.stringify(failure.row)),
          headers: message?.headers,
        }),
      );
    }
    // The dead letters are acknowledged before the offsets that cover them are committed.
    if (result.failures.length > 0) await this.producer.flush();
    try {
      await this.consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) },
      ]);
      resolveOffset(last);
    } catch (error) {
      this.options.log(
        `commit skipped: ${describeError(error)} (the partition's next owner re-writes, idempotently)`,
      );
    }
    await heartbeat();
  }
}
