/**
 * The Flink benchmarks' shared setup (bench/flink-sql-throughput.ts, bench/flink-udf-vs-java.ts):
 * a generated transaction backlog, its topics and produce, the running job's progress and load
 * from Flink's REST API, and stopping the job.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { SqlGatewayClient } from '../../src/flink/sql-gateway-client.ts';
import { generateFile } from '../../src/generate/generate-file.ts';
import type { KafkaClient } from '../../src/kafka/kafka-client.ts';
import { MessageProducer } from '../../src/kafka/message-producer.ts';
import { produceFile } from '../../src/produce/produce-file.ts';

export interface TransactionBacklog {
  readonly path: string;
  readonly events: number;
  /** The largest event time in the file (epoch ms). */
  readonly lastEventMs: number;
}

/**
 * Generated transactions with bounded disorder (3 s, under the jobs' 5 s watermark delay) and no
 * late or invalid events: every event lands in its windows, in Flink as in replay.
 */
export async function generateTransactionBacklog(
  path: string,
  options: { events: number; entities: number; seed: number },
): Promise<TransactionBacklog> {
  await generateFile(path, {
    job: builtInJobRegistry().get('transactions'),
    events: options.events,
    seed: options.seed,
    entities: options.entities,
    startMs: Date.parse('2024-01-01T00:00:00Z'),
    meanGapMs: 20,
    maxDisorderMs: 3000,
    lateFraction: 0,
    invalidFraction: 0,
    windowSizeMs: 300_000,
    maxOutOfOrdernessMs: 5000,
  });
  let lastEventMs = 0;
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (line)
      lastEventMs = Math.max(lastEventMs, (JSON.parse(line) as { timestamp: number }).timestamp);
  }
  return { path, events: options.events, lastEventMs };
}

/**
 * Creates the topics and waits until each partition has a leader. A broker busy with other
 * topics may answer metadata requests for a new topic with UNKNOWN_TOPIC_OR_PARTITION for a
 * moment, which kafkajs's own wait does not retry.
 */
export async function createTopics(
  kafka: KafkaClient,
  topics: readonly string[],
  numPartitions: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: false,
    });
    const deadline = performance.now() + 30_000;
    for (;;) {
      try {
        const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
        const ready = found.every(
          (t) => t.partitions.length === numPartitions && t.partitions.every((p) => p.leader >= 0),
        );
        if (ready && found.length === topics.length) return;
      } catch (error) {
        if (performance.now() > deadline) throw error;
      }
      if (performance.now() > deadline) {
        throw new Error(`topics ${topics.join(', ')} have no leaders after 30 s`);
      }
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: KafkaClient, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
  await admin.disconnect();
}

/** `featureflow produce` of the backlog file into `topic`. */
export async function produceBacklog(
  kafka: KafkaClient,
  brokers: readonly string[],
  backlog: TransactionBacklog,
  topic: string,
): Promise<void> {
  const producer = new MessageProducer(kafka, brokers);
  await producer.connect();
  try {
    const summary = await produceFile({
      job: builtInJobRegistry().get('transactions'),
      inputPath: backlog.path,
      topic,
      producer,
    });
    if (summary.produced !== backlog.events) {
      throw new Error(
        `produced ${summary.produced} of ${backlog.events} events to ${topic} (${summary.invalid} invalid)`,
      );
    }
  } finally {
    await producer.disconnect();
  }
}

/** Sums of one vertex's subtask metrics per second of wall-clock time, as Flink reports them. */
export interface VertexLoad {
  readonly name: string;
  readonly busyMsPerSecond: number;
  readonly backPressuredMsPerSecond: number;
  readonly idleMsPerSecond: number;
}

const LOAD_METRICS = [
  'busyTimeMsPerSecond',
  'backPressuredTimeMsPerSecond',
  'idleTimeMsPerSecond',
] as const;

/**
 * A running job seen through Flink's REST API (the JobManager's web port). Flink's metric values
 * behind it are refreshed every `metrics.fetcher.update-interval` (10 s by default), so counters
 * and watermarks read here can be that stale: fine for load, coarse for timing.
 */
export class FlinkJobProbe {
  private vertexList: { id: string; name: string }[] | undefined;
  private sourceRecordsMetric: string | undefined;

  constructor(
    readonly restUrl: string,
    readonly jobId: string,
  ) {}

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.restUrl}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  async vertices(): Promise<{ id: string; name: string }[]> {
    this.vertexList ??= (
      await this.get<{ vertices: { id: string; name: string }[] }>(`/jobs/${this.jobId}`)
    ).vertices;
    return this.vertexList;
  }

  /** Records the source operator has emitted, or undefined before Flink lists the metric. */
  async sourceRecordsOut(): Promise<number | undefined> {
    const source = (await this.vertices())[0]!;
    if (this.sourceRecordsMetric === undefined) {
      const available = await this.get<{ id: string }[]>(
        `/jobs/${this.jobId}/vertices/${source.id}/metrics`,
      );
      this.sourceRecordsMetric = available.find((m) =>
        /^0\.Source__.*\.numRecordsOut$/.test(m.id),
      )?.id;
      if (this.sourceRecordsMetric === undefined) return undefined;
    }
    const values = await this.get<{ value: string }[]>(
      `/jobs/${this.jobId}/vertices/${source.id}/metrics?get=${encodeURIComponent(this.sourceRecordsMetric)}`,
    );
    return values[0] === undefined ? undefined : Number(values[0].value);
  }

  /** The smallest input watermark over the window aggregation's subtasks (-Infinity if none). */
  async windowWatermark(): Promise<number> {
    const vertices = await this.vertices();
    const window =
      vertices.find((v) => v.name.includes('GlobalWindowAggregate')) ??
      vertices.find((v) => v.name.includes('WindowAggregate')) ??
      vertices.at(-1)!;
    const marks = await this.get<{ id: string; value: string }[]>(
      `/jobs/${this.jobId}/vertices/${window.id}/watermarks`,
    );
    const values = marks
      .filter((m) => m.id.endsWith('currentInputWatermark'))
      .map((m) => Number(m.value));
    return values.length === 0 ? Number.NEGATIVE_INFINITY : Math.min(...values);
  }

  /** busy / back-pressured / idle ms per second of every vertex, summed over its subtasks. */
  async load(): Promise<VertexLoad[]> {
    const loads: VertexLoad[] = [];
    for (const vertex of await this.vertices()) {
      const values = await this.get<{ id: string; sum?: number }[]>(
        `/jobs/${this.jobId}/vertices/${vertex.id}/subtasks/metrics?get=${LOAD_METRICS.join(',')}`,
      );
      const of = (name: string) => values.find((v) => v.id === name)?.sum ?? Number.NaN;
      loads.push({
        name: vertex.name,
        busyMsPerSecond: of('busyTimeMsPerSecond'),
        backPressuredMsPerSecond: of('backPressuredTimeMsPerSecond'),
        idleMsPerSecond: of('idleTimeMsPerSecond'),
      });
    }
    return loads;
  }

  /**
   * Polls until the source has emitted `events` records (its operator metric) and the window
   * operator's watermark reached `watermark`. The watermark alone can race ahead on a backlog:
   * Flink may read one partition before the others' watermarks exist. Returns false on timeout.
   */
  async waitForBacklogRead(events: number, watermark: number, timeoutMs: number) {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      await sleep(200);
      const read = await this.sourceRecordsOut();
      if (read === undefined || read < events) continue;
      if ((await this.windowWatermark()) >= watermark) return true;
    }
    return false;
  }

  /** Polls until the job is no longer running (stopped, cancelled, failed or finished). */
  async waitForEnd(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const { state } = await this.get<{ state: string }>(`/jobs/${this.jobId}`);
      if (['FINISHED', 'CANCELED', 'FAILED'].includes(state)) return;
      await sleep(250);
    }
    throw new Error(`job ${this.jobId} still running ${timeoutMs} ms after it was stopped`);
  }
}

/** STOP JOB through the SQL Gateway; a job already gone is fine. */
export async function stopJob(gatewayUrl: string, jobId: string): Promise<void> {
  const gateway = new SqlGatewayClient(gatewayUrl);
  const session = await gateway.openSession();
  try {
    await gateway.execute(session, `STOP JOB '${jobId}'`).catch(() => undefined);
  } finally {
    await gateway.closeSession(session);
  }
}
