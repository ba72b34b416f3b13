/**
 * The TypeScript consumer runtime (docs/README.md: the second runtime):
 * Kafka -> decode -> validate -> windows (per-partition watermarks) -> newest window per entity
 * -> features -> Redis,
 * late events -> <topic>.late, invalid messages -> <topic>.dlq, then commit.
 *
 * Offsets are committed only after the Redis writes and Kafka sends they cover are
 * acknowledged, never past an event still in an open window, and with the fired horizon in the
 * commit metadata (committed-horizon.ts), so a restart or a new owner resumes exactly.
 * All work runs one step at a time through `serially`: batches, idle ticks, rebalances.
 */
import { describeError } from '../core/errors.ts';
import type { JobDefinition, WindowedFeatureRow } from '../core/jobs/job-definition.ts';
import { JobRegistry } from '../core/jobs/job-registry.ts';
import { DEAD_LETTERS, FEATURES_COMPUTED, LATE_EVENTS, WINDOW_SIZE } from '../core/metrics.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import { createFeatureSink, type FeatureSink } from '../core/sinks/redis-feature-sink.ts';
import { logRowOutcomes } from '../core/sinks/row-outcomes-log.ts';
import { writeFeaturesUntilDone } from '../core/sinks/write-until-done.ts';
import { AvroDeserializer, AvroSerializer, wireTypeOfSchema } from '../core/utils/avro.ts';
import { SchemaDirectory } from '../core/utils/schema-directory.ts';
import { lastWindowEnd, type SlidingWindow } from '../core/utils/windowing.ts';
import { WindowedEngine } from '../engine/windowed-engine.ts';
import { deadLetterMessage, deadLetterTopicOf } from '../kafka/dead-letter-headers.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import { retryKafka } from '../kafka/kafka-retry.ts';
import type { BatchContext, GroupConsumer, KafkaAdmin, KafkaRecord } from '../kafka/kafka-types.ts';
import { MessageProducer } from '../kafka/message-producer.ts';
import { assertTopicsExist } from '../kafka/topic-check.ts';
import { decodeHorizon, encodeHorizon } from './committed-horizon.ts';
import type { ResolvedConsumerConfig } from './consumer-config.ts';
import { NewestWindows } from './newest-windows.ts';
import { PartitionOffsets } from './partition-offsets.ts';
import { PartitionWatermarks } from './partition-watermarks.ts';

type Event = object;
/** What a window keeps of an event: the fields the job's features read (JobSpec.reads). */
type WindowEvent = object;

/** Messages handled between two checks that the consumer is still running and the batch current. */
const STOP_CHECK_INTERVAL = 256;

/** One owned partition: its windows (entities are keyed to one partition) and its offsets. */
interface PartitionState {
  engine: WindowedEngine<Event, WindowEvent>;
  offsets: PartitionOffsets;
}

export interface ConsumerCounters {
  messages: number;
  events: number;
  late: number;
  invalid: number;
  windows: number;
  written: number;
  stale: number;
  /** Windows Redis refused for good (WRONGTYPE), sent to the dead letter. */
  refused: number;
}

export class ConsumerRuntime {
  readonly counters: ConsumerCounters = {
    messages: 0,
    events: 0,
    late: 0,
    invalid: 0,
    windows: 0,
    written: 0,
    stale: 0,
    refused: 0,
  };
  private readonly job: JobDefinition;
  private readonly watermarks: PartitionWatermarks;
  private readonly consumer: GroupConsumer;
  private readonly admin: KafkaAdmin;
  private readonly producer: MessageProducer;
  private readonly sink: FeatureSink;
  private readonly deserializer: AvroDeserializer;
  private readonly lateSerializer: AvroSerializer<unknown>;
  private readonly partitions = new Map<number, PartitionState>();
  private readonly lastCommitted = new Map<number, number>();
  private readonly highWatermarks = new Map<number, number>();
  private readonly lastOffsets = new Map<number, number>();
  /** Fired windows not yet written: their features are computed when they are written. */
  private readonly pendingWindows = new NewestWindows<SlidingWindow<WindowEvent>>();
  /** Scratch for the field values of one window event. */
  private readonly windowEventValues: (number | string)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private ticker: NodeJS.Timeout | undefined;
  private currentHeartbeat: (() => Promise<void>) | undefined;
  /** Rejects with the first error Kafka will not recover from, once running. */
  readonly failed: Promise<never>;

  constructor(
    readonly config: ResolvedConsumerConfig,
    private readonly log: (line: string) => void,
  ) {
    this.job = config.job.job;
    this.deserializer = new AvroDeserializer(new SchemaDirectory(), new JobRegistry([this.job]));
    const kafka = createKafkaClient({
      clientId: `featureflow-consume-${this.job.name}`,
      brokers: config.brokers,
      security: config.kafkaSecurity,
    });
    this.consumer = kafka.consumer({
      groupId: config.groupId,
      readCommitted: true,
      maxBytesPerPartition: config.maxBytesPerPartition,
      // A crashed consumer restarts while Kafka has answered within the retry timeout; then
      // the process exits non-zero so a supervisor sees it.
      giveUpAfterMs: config.kafkaRetryTimeoutMs,
      onAssigned: (assignment) => {
        const assigned = new Set(assignment[this.topic] ?? []);
        void this.serially(() => this.reassign(assigned));
      },
      log,
    });
    this.failed = this.consumer.failed;
    this.admin = kafka.admin();
    this.producer = new MessageProducer(kafka, config.brokers);
    this.sink = createFeatureSink({ redisUrl: config.redisUrl, ttlMs: config.ttlMs });
    this.lateSerializer = new AvroSerializer(wireTypeOfSchema(this.job.eventSchema));
    this.watermarks = new PartitionWatermarks({
      maxOutOfOrdernessMs: config.job.maxOutOfOrdernessMs,
      idleTimeoutMs: config.job.idleTimeoutMs,
    });
  }

  /** A partition's engine: its watermark is driven by `advanceFiring`, starting at `horizon`. */
  private createEngine(horizon: number): WindowedEngine<Event, WindowEvent> {
    const { job } = this.config;
    return new WindowedEngine<Event, WindowEvent>({
      windowSizeMs: job.windowSizeMs,
      slideMs: job.slideMs,
      maxOutOfOrdernessMs: job.maxOutOfOrdernessMs,
      externalWatermark: true,
      initialWatermark: horizon,
      entityOf: this.job.entityOf,
      timeOf: this.job.timeOf,
      // The small window event, not the decoded one with every field, is what stays in the
      // windows for minutes of event time; the decoded one dies young.
      windowEventOf: (event) => {
        this.job.windowEventValues(event, this.windowEventValues);
        return this.job.windowEventFrom(this.windowEventValues);
      },
      onWindowFired: (window) => {
        this.counters.windows++;
        WINDOW_SIZE.observe({ window_type: this.job.name }, window.size());
        this.pendingWindows.add(window);
      },
      onLateEvent: () => {},
    });
  }

  /** Fires, in every owned partition, what its firing watermark now allows. */
  private advanceFiring(nowMs: number): void {
    for (const [partition, state] of this.partitions) {
      state.engine.advanceWatermarkTo(this.watermarks.firingWatermark(partition, nowMs));
    }
  }

  get topic(): string {
    return this.config.topic;
  }

  get watermark(): number {
    return this.watermarks.watermark;
  }

  get openWindows(): number {
    let open = 0;
    for (const state of this.partitions.values()) open += state.engine.openWindows;
    return open;
  }

  /** Messages behind the partitions' high watermarks, as of the last batches. */
  get lag(): number {
    let lag = 0;
    for (const [partition, high] of this.highWatermarks) {
      lag += Math.max(0, high - 1 - (this.lastOffsets.get(partition) ?? -1));
    }
    return lag;
  }

  /** Connects (retrying within --kafka-retry-timeout) and starts consuming. */
  async start(): Promise<void> {
    const retry = {
      brokers: this.config.brokers,
      timeoutMs: this.config.kafkaRetryTimeoutMs,
      log: this.log,
      stopping: () => this.stopping,
    };
    await retryKafka(() => this.producer.connect(), { ...retry, what: 'connecting' });
    await retryKafka(() => this.admin.connect(), { ...retry, what: 'connecting' });
    await retryKafka(() => assertTopicsExist(this.admin, [this.topic], this.config.brokers), {
      ...retry,
      what: `looking up ${this.topic}`,
    });
    await retryKafka(() => this.consumer.connect(), { ...retry, what: 'connecting' });
    await this.consumer.subscribe([this.topic], { fromBeginning: true });
    this.ticker = setInterval(() => {
      void this.serially(async () => {
        await this.markBacklogs();
        const now = Date.now();
        this.watermarks.recompute(now);
        this.advanceFiring(now);
        if (this.pendingWindows.size > 0) await this.flushAndCommit();
      });
    }, this.config.tickIntervalMs);
    await this.consumer.run({
      autoCommit: false,
      autoResolve: false,
      eachBatch: (context) => this.serially(() => this.handleBatch(context)),
    });
  }

  /** SIGTERM: stop fetching, finish the batch in hand, write and commit what is done, leave. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.consumer.disconnect();
    await this.serially(async () => {});
    await this.producer.disconnect();
    await this.admin.disconnect();
    await this.sink.close();
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    // A failed step must not block the ones after it; the failure is still the caller's.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reassign(assigned: Set<number>): Promise<void> {
    const now = Date.now();
    for (const [partition, state] of [...this.partitions]) {
      if (assigned.has(partition)) continue;
      // Revoked: drop its state; the next owner rebuilds it from the committed offset.
      this.partitions.delete(partition);
      this.watermarks.remove(partition, now);
      this.lastCommitted.delete(partition);
      this.highWatermarks.delete(partition);
      this.log(`partition ${partition} revoked: ${state.engine.openWindows} open windows dropped`);
    }
    for (const partition of assigned) await this.ensurePartition(partition);
    await this.markBacklogs();
  }

  /** First sight of a partition: resume from the horizon its last commit carries. */
  private async ensurePartition(partition: number): Promise<PartitionState> {
    let state = this.partitions.get(partition);
    if (state !== undefined) return state;
    const committed = await this.admin.fetchOffsets({
      groupId: this.config.groupId,
      topics: [this.topic],
    });
    const entry = committed
      .find((t) => t.topic === this.topic)
      ?.partitions.find((p) => p.partition === partition);
    const horizon = decodeHorizon(entry?.metadata);
    this.watermarks.add(partition, horizon, Date.now());
    state = { engine: this.createEngine(horizon), offsets: new PartitionOffsets() };
    this.partitions.set(partition, state);
    const offset = entry && Number(entry.offset) >= 0 ? Number(entry.offset) : undefined;
    if (offset !== undefined) {
      this.lastCommitted.set(partition, offset);
      this.lastOffsets.set(partition, offset - 1);
    }
    this.log(
      `partition ${partition} assigned: from offset ${offset ?? 'the beginning'}` +
        (Number.isFinite(horizon)
          ? `, windows fired up to ${new Date(horizon).toISOString()}`
          : ''),
    );
    return state;
  }

  /** Partitions with messages still to read are not idle, whether or not a batch came yet. */
  private async markBacklogs(): Promise<void> {
    if (this.partitions.size === 0) return;
    let offsets: { partition: number; high: string }[];
    try {
      offsets = await this.admin.fetchTopicOffsets(this.topic);
    } catch (error) {
      this.log(
        `cannot read the end offsets of ${this.topic}: ${describeError(error)} (idleness is judged by arrivals only until Kafka answers)`,
      );
      return;
    }
    const now = Date.now();
    for (const { partition, high } of offsets) {
      if (!this.partitions.has(partition)) continue;
      this.highWatermarks.set(partition, Number(high));
      const position = (this.lastOffsets.get(partition) ?? -1) + 1;
      if (position < Number(high)) this.watermarks.markBacklog(partition, now);
    }
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: BatchContext): Promise<void> {
    const partition = batch.partition;
    const state = await this.ensurePartition(partition);
    // Before this batch moves the watermark: every partition with a backlog holds it back, even
    // one that sat quiet past the idle timeout before its messages arrived.
    await this.markBacklogs();
    this.currentHeartbeat = heartbeat;
    this.highWatermarks.set(partition, Number(batch.highWatermark));
    // Resolved once per batch, not per message: kafkajs parses every offset it is given into a
    // Long, and which messages were handled is known without it until the loop ends, even if one
    // throws. Whether to stop is asked every STOP_CHECK_INTERVAL messages: kafkajs builds a
    // string per isStale() call.
    const messages = batch.messages;
    let handled = 0;
    try {
      while (handled < messages.length) {
        if (handled % STOP_CHECK_INTERVAL === 0 && (!isRunning() || isStale())) break;
        this.handleMessage(partition, messages[handled]!, state);
        handled++;
      }
    } finally {
      if (handled > 0) resolveOffset(messages[handled - 1]!.offset);
    }
    const now = Date.now();
    if ((this.lastOffsets.get(partition) ?? -1) + 1 < Number(batch.highWatermark)) {
      this.watermarks.markBacklog(partition, now);
    }
    await this.flushAndCommit();
    await heartbeat();
    this.currentHeartbeat = undefined;
  }

  private handleMessage(partition: number, message: KafkaRecord, state: PartitionState): void {
    const { offsets } = state;
    const offset = Number(message.offset);
    this.counters.messages++;
    this.lastOffsets.set(partition, offset);
    const decoded = this.deserializer.deserializeMessage(
      this.topic,
      message.value,
      this.job.topics.events,
    );
    if (!decoded.ok) {
      this.deadLetter(partition, message, decoded);
      offsets.trackDone(offset);
      return;
    }
    const problem = this.job.findProblem(decoded.value);
    if (problem !== undefined) {
      this.deadLetter(partition, message, problem);
      offsets.trackDone(offset);
      return;
    }
    const event = decoded.value as Event;
    const time = this.job.timeOf(event);
    this.counters.events++;
    const joined = state.engine.process(event, partition);
    const now = Date.now();
    this.watermarks.observe(partition, time, now);
    this.advanceFiring(now);
    if (joined) {
      offsets.track(
        offset,
        lastWindowEnd(time, this.config.job.windowSizeMs, this.config.job.slideMs),
      );
    } else {
      // Late events are normal in small numbers; say so for the first and every 1000th.
      if (this.counters.late % 1000 === 0) {
        this.log(
          `late event on partition ${partition} at offset ${offset}: time ${new Date(time).toISOString()} ` +
            `is behind the partition's windows (fired up to ${new Date(state.engine.watermark).toISOString()}); ${this.counters.late + 1} late so far`,
        );
      }
      this.counters.late++;
      LATE_EVENTS.inc({ job: this.job.name });
      void this.producer.send(`${this.topic}.late`, {
        key: message.key?.toString() ?? null,
        value: this.lateSerializer.serialize(event),
      });
      offsets.trackDone(offset);
    }
  }

  private deadLetter(partition: number, message: KafkaRecord, problem: InvalidEvent): void {
    this.counters.invalid++;
    DEAD_LETTERS.inc({ job: this.job.name, reason: problem.reason });
    void this.producer.send(
      deadLetterTopicOf(this.topic),
      deadLetterMessage({
        origin: { kind: 'kafka', topic: this.topic, partition, offset: message.offset },
        problem,
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers: message.headers,
      }),
    );
  }

  /** Late and dead letters acknowledged, fired rows in Redis, then the commit. */
  private async flushAndCommit(): Promise<void> {
    await this.producer.flush();
    if (this.pendingWindows.size > 0) {
      const { windows, superseded } = this.pendingWindows.take();
      FEATURES_COMPUTED.inc({ feature_type: this.job.name }, windows.length + superseded);
      const rows: WindowedFeatureRow[] = windows.map((window) =>
        this.job.computeFeatures(window.getEvents(), window),
      );
      this.counters.stale += superseded;
      // Rows Redis cannot take for now are retried (only those) until it can: no commit
      // below moves past them meanwhile.
      const result = await writeFeaturesUntilDone(this.sink, rows, this.job, {
        log: this.log,
        onRetry: () => this.currentHeartbeat?.().catch(() => undefined),
      });
      this.counters.written += result.written;
      this.counters.stale += result.stale;
      logRowOutcomes(result, this.log);
      if (result.failures.length > 0) {
        // A window Redis refuses for good (WRONGTYPE) has no message of its own: its row goes
        // to the dead letter as JSON, with the reason, before the commit.
        for (const failure of result.failures) {
          this.counters.refused++;
          DEAD_LETTERS.inc({ job: this.job.name, reason: 'redis_refused' });
          void this.producer.send(
            deadLetterTopicOf(this.topic),
            deadLetterMessage({
              origin: {
                kind: 'window',
                job: this.job.name,
                entityId: failure.entity_id,
                windowEnd: failure.window_end,
              },
              problem: { ok: false, reason: 'redis_refused', field: '', message: failure.reason },
              key: failure.entity_id,
              value: Buffer.from(JSON.stringify(failure.row)),
            }),
          );
        }
        await this.producer.flush();
      }
    }
    const commits: { topic: string; partition: number; offset: string; metadata: string }[] = [];
    for (const [partition, { engine, offsets }] of this.partitions) {
      const horizon = engine.watermark;
      const offset = offsets.committable(horizon);
      if (offset === undefined || offset <= (this.lastCommitted.get(partition) ?? -1)) continue;
      commits.push({
        topic: this.topic,
        partition,
        offset: String(offset),
        metadata: encodeHorizon(horizon),
      });
    }
    if (commits.length === 0) return;
    try {
      await this.consumer.commitOffsets(commits);
      for (const commit of commits) this.lastCommitted.set(commit.partition, Number(commit.offset));
    } catch (error) {
      // A rebalance took the partitions: the new owner resumes from the previous commit.
      this.log(`commit skipped: ${describeError(error)}`);
    }
  }
}
