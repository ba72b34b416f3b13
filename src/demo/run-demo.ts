/**
 * The main command: the whole pipeline on the local stack, with live progress.
 * generate -> Kafka -> Flink SQL (HOP windows, ARRAY_AGG) -> the TypeScript feature functions in
 * the UDF service (through the flink-bridge module) -> features topics -> sink -> Redis -> read
 * back. Both jobs run: transactions per card and clickstream per user.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { resolveServiceEndpoints } from '../config/environment.ts';
import { describeError } from '../core/errors.ts';
import { builtInJobRegistry } from '../core/jobs/load-definitions.ts';
import { createFeatureStore } from '../core/sinks/feature-store.ts';
import { lastWindowEnd } from '../core/utils/windowing.ts';
import { ensureBridgeJar } from '../flink/bridge-jar.ts';
import { windowOperatorWatermark } from '../flink/flink-rest.ts';
import { jobTopicPlaceholders } from '../flink/job-sql.ts';
import { SqlGatewayClient } from '../flink/sql-gateway-client.ts';
import { type SubmittedJob, submitSqlScript } from '../flink/submit-script.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import { MessageProducer } from '../kafka/message-producer.ts';
import { flushWatermarks } from '../kafka/watermark-flush.ts';
import { produceGenerated } from '../produce/produce-generated.ts';
import { SinkConnector } from '../sink/sink-connector.ts';
import { createUdfServer } from '../udf/server.ts';
import { DEMO_JOBS, type DemoJob, demoTopics } from './demo-jobs.ts';
import { flinkRestUrlOfLocalStack } from './local-stack-web-ui.ts';
import { formatFeatures } from './show-features.ts';

export interface DemoOptions {
  /** Events in all, half transactions and half site events. */
  events: number;
  ratePerSecond: number;
  log: (line: string) => void;
  /** Rewrites one status line in place on a terminal. */
  status: (line: string) => void;
}

const BIN = fileURLToPath(new URL('../../bin/featureflow.js', import.meta.url));
const STREAM_START_MS = Date.parse('2024-01-01T00:00:00Z');
const MEAN_GAP_MS = 100;
const WINDOW_SIZE_MS = 300_000;
const SLIDE_MS = 60_000;
const LAST_WINDOWS_TIMEOUT_MS = 180_000;

function runCli(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const count = (n: number) => n.toLocaleString('en-US');

export async function runDemo(options: DemoOptions): Promise<void> {
  const { log } = options;
  if ((await runCli(['status'])) !== 0) {
    log('starting the local stack (featureflow up)...');
    if ((await runCli(['up'])) !== 0)
      throw new Error('the local stack did not start (see the messages above)');
  }
  const endpoints = resolveServiceEndpoints();
  const bridgeJar = await ensureBridgeJar(log);
  const udfServer = await createUdfServer({ address: '127.0.0.1:0', metricsPort: null });
  log(`UDF service on ${udfServer.address}: ${udfServer.functions.join(', ')}`);

  const run = `demo-${randomBytes(3).toString('hex')}`;
  const kafka = createKafkaClient({
    clientId: 'featureflow-demo',
    brokers: endpoints.kafkaBrokers,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: DEMO_JOBS.flatMap((job) => Object.values(demoTopics(run, job))).map((topic) => ({
      topic,
      numPartitions: 3,
      replicationFactor: 1,
    })),
    waitForLeaders: true,
  });

  // The jobs first, then the events: a job started on a backlog reads one partition ahead of
  // the others and drops their early events as late.
  const jobs: SubmittedJob[] = [];
  for (const job of DEMO_JOBS) {
    const topics = demoTopics(run, job);
    const placeholders = jobTopicPlaceholders(job.definition);
    log(
      `submitting ${job.sqlFile} (${topics.events} -> ${topics.features}, late -> ${topics.late})`,
    );
    jobs.push(
      ...(await submitSqlScript({
        file: job.sqlFile,
        gatewayUrl: endpoints.flinkSqlGateway,
        vars: {
          KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
          UDF_ADDRESS: udfServer.address,
          FEATUREFLOW_BRIDGE_JAR: bridgeJar,
          [placeholders.events]: topics.events,
          [placeholders.late]: topics.late,
          [placeholders.features]: topics.features,
          GROUP_ID: `${run}-${job.job}`,
          TRANSACTIONAL_ID_PREFIX: `${run}-${job.job}`,
        },
        report: (line) => log(`  ${line}`),
      })),
    );
  }

  const connector = new SinkConnector({
    brokers: endpoints.kafkaBrokers,
    redisUrl: endpoints.redisUrl,
    groupId: `${run}-sink`,
    topics: DEMO_JOBS.map((job) => ({
      topic: demoTopics(run, job).features,
      schemaTopic: job.definition.topics.features,
    })),
    jobs: builtInJobRegistry(),
    log,
  });
  // The sink runs beside the demo; a sink that cannot start is reported, not an unhandled
  // rejection (the demo's own Redis check then says what is missing).
  connector.start().catch((error: unknown) => log(`sink did not start: ${describeError(error)}`));

  const producer = new MessageProducer(kafka, endpoints.kafkaBrokers);
  await producer.connect();
  const flinkRest = flinkRestUrlOfLocalStack();
  const produced = new Map<DemoJob, number>();
  let watermarkLagMs: number | undefined;
  let producedAt: number | undefined;
  const started = Date.now();
  const newestEventMs = () =>
    STREAM_START_MS + Math.max(0, ...produced.values()) * MEAN_GAP_MS * DEMO_JOBS.length;
  const showProgress = () => {
    const c = connector.counters;
    const events = [...produced.values()].reduce((a, b) => a + b, 0);
    const seconds = Math.max(((producedAt ?? Date.now()) - started) / 1000, 0.001);
    options.status(
      `events in ${count(events)} (${count(Math.round(events / seconds))}/s) | ` +
        `windows out ${count(c.messages)} | Redis writes ${count(c.written)} (stale ${count(c.stale)})` +
        (watermarkLagMs === undefined
          ? ''
          : ` | watermark lag ${Math.round(watermarkLagMs / 1000)} s (event time)`),
    );
  };
  const ticker = setInterval(showProgress, 500);
  // Watermark lag: how far the window operators' watermark is behind the newest event produced
  // (0 once the end-of-stream flush below has moved it past every event).
  const watermarkPoller = setInterval(async () => {
    if (flinkRest === undefined) return;
    const marks = await Promise.all(jobs.map((j) => windowOperatorWatermark(flinkRest, j.jobId)));
    const known = marks.filter((m): m is number => m !== undefined);
    if (known.length > 0) watermarkLagMs = Math.max(0, newestEventMs() - Math.min(...known));
  }, 1_000);

  const perJob = Math.ceil(options.events / DEMO_JOBS.length);
  const summaries = await Promise.all(
    DEMO_JOBS.map((job, i) =>
      produceGenerated({
        stream: {
          job: job.definition,
          events: i === 0 ? perJob : options.events - perJob,
          seed: 7 + i,
          entities: 200,
          startMs: STREAM_START_MS,
          // Both streams cover the same span of event time.
          meanGapMs: MEAN_GAP_MS * DEMO_JOBS.length,
          maxDisorderMs: 3000,
          lateFraction: 0,
          invalidFraction: 0,
          windowSizeMs: WINDOW_SIZE_MS,
          maxOutOfOrdernessMs: 5000,
        },
        topic: demoTopics(run, job).events,
        ratePerSecond: options.ratePerSecond / DEMO_JOBS.length,
        producer,
        onProgress: (done) => produced.set(job, done),
      }),
    ),
  );
  for (const [i, summary] of summaries.entries()) produced.set(DEMO_JOBS[i]!, summary.events);
  producedAt = Date.now();
  // The stream is finite: move Flink's watermark past every real window, as the end of input
  // does in replay; then wait until each job's last window (the one holding its newest event)
  // has reached Redis, and a moment more for the rest of its checkpoint.
  const lastWindowEnds = summaries.map((summary) =>
    lastWindowEnd(summary.newestEventMs, WINDOW_SIZE_MS, SLIDE_MS),
  );
  for (const job of DEMO_JOBS)
    await flushWatermarks(
      kafka,
      demoTopics(run, job).events,
      job.definition,
      newestEventMs() + 3_600_000,
    );
  const deadline = Date.now() + LAST_WINDOWS_TIMEOUT_MS;
  const allLanded = () =>
    DEMO_JOBS.every(
      (job, i) =>
        (connector.newestWindowEnd.get(demoTopics(run, job).features) ?? 0) >= lastWindowEnds[i]!,
    );
  while (!allLanded() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 500));
  if (!allLanded())
    log(
      `\nthe last windows did not reach Redis within ${LAST_WINDOWS_TIMEOUT_MS / 1000} s (is the Flink job running? 'featureflow jobs'; the TaskManager log is under the stack's run folder)`,
    );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  clearInterval(ticker);
  clearInterval(watermarkPoller);
  showProgress();
  options.status('');

  const store = createFeatureStore({ redisUrl: endpoints.redisUrl });
  for (const job of DEMO_JOBS) {
    const kind = job.definition.entityType;
    log(`\n${job.job} features in Redis (featureflow features get ${kind} <id>):`);
    for (const id of [0, 1, 2].map((n) => `${kind}-${n}`)) {
      const window = (await store.get(kind, id))?.labels['5m'];
      if (window) log(`  ${id}: ${formatFeatures(job, window)}`);
    }
  }
  await store.close();

  const gateway = new SqlGatewayClient(endpoints.flinkSqlGateway);
  const session = await gateway.openSession();
  for (const job of jobs)
    await gateway.execute(session, `STOP JOB '${job.jobId}'`).catch(() => undefined);
  await gateway.closeSession(session);
  await connector.stop();
  await producer.disconnect();
  await admin.disconnect();
  await udfServer.close();
  const events = [...produced.values()].reduce((a, b) => a + b, 0);
  log(
    `\ndemo done: ${count(events)} events -> Flink -> TypeScript UDF service -> ${count(connector.counters.messages)} windows -> Redis. The stack stays up: 'featureflow down' stops it.`,
  );
}
