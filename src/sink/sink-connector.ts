/**
 * The Redis sink connector: Kafka features.* -> decode -> FeatureSink (newest window wins) ->
 * commit. Offsets are committed only after every row of the batch is written or dead-lettered:
 * undecodable messages and rows Redis can never take (WRONGTYPE) go to `<topic>.dlq` with the
 * reason in headers; Redis down, out of memory or read-only means retrying the rows still
 * waiting with backoff (the group session kept alive), never a skipped message.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describeError, FeatureflowError } from '../core/errors.ts';
import type { JobDefinition, WindowedFeatureRow } from '../core/jobs/job-definition.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { DEAD_LETTERS } from '../core/metrics.ts';
import { createFeatureSink, type FeatureSink } from '../core/sinks/redis-feature-sink.ts';
import { logRowOutcomes } from '../core/sinks/row-outcomes-log.ts';
import { writeFeaturesUntilDone } from '../core/sinks/write-until-done.ts';
import { AvroDeserializer } from '../core/utils/avro.ts';
import { SchemaDirectory } from '../core/utils/schema-directory.ts';
import { deadLetterHeaders, deadLetterTopicOf } from '../kafka/dead-letter-headers.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import { MessageProducer } from '../kafka/message-producer.ts';

export interface SinkConnectorOptions {
  brokers: readonly string[];
  redisUrl: string;
  groupId: string;
  /** Feature topics and the job feature topic whose schema each carries. */
  topics: ReadonlyArray<{ topic: string; schemaTopic: string }>;
  /** The jobs whose feature topics these are. */
  jobs: JobRegistry;
  ttlMs?: number;
  log: (line: string) => void;
}

export class SinkConnector {
  readonly counters = { messages: 0, written: 0, stale: 0, failed: 0, deadLetters: 0 };
  /** Per topic, the largest window_end written so far (progress for callers like the demo). */
  readonly newestWindowEnd = new Map<string, number>();
  private readonly consumer: Consumer;
  private readonly producer: MessageProducer;
  private readonly sink: FeatureSink;
  private readonly deserializer: AvroDeserializer;
  private readonly jobs = new Map<string, { schemaTopic: string; job: JobDefinition }>();
  private stopping = false;

  constructor(private readonly options: SinkConnectorOptions) {
    const kafka = createKafkaClient({ clientId: 'featureflow-sink', brokers: options.brokers });
    // read_committed: rows of an exactly-once Flink sink count only once their checkpoint does.
    this.consumer = kafka.consumer({ groupId: options.groupId, readUncommitted: false });
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

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.jobs.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.sink.close();
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { schemaTopic, job } = this.jobs.get(batch.topic)!;
    const rows: WindowedFeatureRow[] = [];
    // Each row's message, to dead-letter the original bytes if Redis refuses the row for good.
    const messageOf = new Map<WindowedFeatureRow, KafkaMessage>();
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
        await this.producer.send(deadLetterTopicOf(batch.topic), {
          key: message.key?.toString() ?? null,
          value: message.value ?? Buffer.alloc(0),
          headers: deadLetterHeaders(
            decoded,
            `${batch.topic}/${batch.partition}@${message.offset}`,
          ),
        });
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
      await this.producer.send(deadLetterTopicOf(batch.topic), {
        key: message?.key?.toString() ?? failure.entity_id,
        value: message?.value ?? Buffer.from(JSON.stringify(failure.row)),
        headers: deadLetterHeaders(
          { ok: false, reason: 'redis_refused', message: failure.reason },
          message === undefined
            ? batch.topic
            : `${batch.topic}/${batch.partition}@${message.offset}`,
        ),
      });
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
