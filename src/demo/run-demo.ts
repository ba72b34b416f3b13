/**
 * The main command: the whole pipeline on the local stack, with live progress.
 * generate -> Kafka -> Flink SQL (HOP windows) -> features topic -> sink -> Redis -> read back.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { resolveServiceEndpoints } from '../config/environment.ts';
import { createFeatureStore } from '../core/sinks/feature-store.ts';
import { SqlGatewayClient } from '../flink/sql-gateway-client.ts';
import { submitSqlScript } from '../flink/submit-script.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import { MessageProducer } from '../kafka/message-producer.ts';
import { flushWatermarks } from '../kafka/watermark-flush.ts';
import { produceGenerated } from '../produce/produce-generated.ts';
import { SinkConnector } from '../sink/sink-connector.ts';

export interface DemoOptions {
  events: number;
  ratePerSecond: number;
  log: (line: string) => void;
  /** Rewrites one status line in place on a terminal. */
  status: (line: string) => void;
}

const BIN = fileURLToPath(new URL('../../bin/featureflow.js', import.meta.url));
const SQL_FILE = fileURLToPath(
  new URL('../../flink-sql/01_transaction_features_sql.sql', import.meta.url),
);

function runCli(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const { log } = options;
  if ((await runCli(['status'])) !== 0) {
    log('starting the local stack (featureflow up)...');
    if ((await runCli(['up'])) !== 0)
      throw new Error('the local stack did not start (see the messages above)');
  }
  const endpoints = resolveServiceEndpoints();
  const run = `demo-${randomBytes(3).toString('hex')}`;
  const eventsTopic = `${run}.txn.events`;
  const featuresTopic = `${run}.features.transactions`;
  const kafka = createKafkaClient({
    clientId: 'featureflow-demo',
    brokers: endpoints.kafkaBrokers,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [eventsTopic, `${eventsTopic}.dlq`, featuresTopic, `${featuresTopic}.dlq`].map(
      (topic) => ({
        topic,
        numPartitions: 3,
        replicationFactor: 1,
      }),
    ),
    waitForLeaders: true,
  });

  log(`submitting ${SQL_FILE} (topics ${eventsTopic} -> ${featuresTopic})`);
  const jobs = await submitSqlScript({
    file: SQL_FILE,
    gatewayUrl: endpoints.flinkSqlGateway,
    vars: {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      TXN_EVENTS_TOPIC: eventsTopic,
      FEATURES_TRANSACTIONS_TOPIC: featuresTopic,
      GROUP_ID: run,
    },
    report: (line) => log(`  ${line}`),
  });

  const connector = new SinkConnector({
    brokers: endpoints.kafkaBrokers,
    redisUrl: endpoints.redisUrl,
    groupId: `${run}-sink`,
    topics: [{ topic: featuresTopic, schemaTopic: 'features.transactions' }],
    log,
  });
  void connector.start();

  const producer = new MessageProducer(kafka, endpoints.kafkaBrokers);
  await producer.connect();
  let produced = 0;
  let newestEventMs = 0;
  const started = Date.now();
  const showProgress = () => {
    const c = connector.counters;
    const seconds = (Date.now() - started) / 1000;
    options.status(
      `events in ${produced.toLocaleString('en-US')} (${Math.round(produced / Math.max(seconds, 0.001)).toLocaleString('en-US')}/s) | ` +
        `windows out ${c.messages.toLocaleString('en-US')} | Redis writes ${c.written.toLocaleString('en-US')} (stale ${c.stale.toLocaleString('en-US')})` +
        (newestEventMs > 0
          ? ` | event time ${new Date(newestEventMs).toISOString().slice(11, 19)}`
          : ''),
    );
  };
  const ticker = setInterval(showProgress, 500);
  const startMs = Date.parse('2024-01-01T00:00:00Z');
  const summary = await produceGenerated({
    stream: {
      job: 'transactions',
      events: options.events,
      seed: 7,
      entities: 200,
      startMs,
      meanGapMs: 100,
      maxDisorderMs: 3000,
      lateFraction: 0,
      invalidFraction: 0,
      windowSizeMs: 300_000,
      maxOutOfOrdernessMs: 5000,
    },
    topic: eventsTopic,
    ratePerSecond: options.ratePerSecond,
    producer,
    onProgress: (done) => {
      produced = done;
      newestEventMs = startMs + done * 100;
    },
  });
  produced = summary.events;
  // The stream is finite: move Flink's watermark past every real window, as the end of input
  // does in replay.
  await flushWatermarks(kafka, eventsTopic, 'transactions', newestEventMs + 3_600_000);

  // Wait until the last windows have reached Redis: nothing new for 5 s.
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && Date.now() - stableSince < 5_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (connector.counters.written !== last) {
      last = connector.counters.written;
      stableSince = Date.now();
    }
  }
  clearInterval(ticker);
  showProgress();
  options.status('');

  const store = createFeatureStore({ redisUrl: endpoints.redisUrl });
  log('\nfeatures in Redis (featureflow features get card <id>):');
  for (const card of ['card-0', 'card-1', 'card-2']) {
    const stored = await store.get('card', card);
    const window = stored?.labels['5m'];
    if (!window) continue;
    const f = window.features;
    log(
      `  ${card}: window ${new Date(window.window_start).toISOString().slice(11, 16)}-${new Date(window.window_end).toISOString().slice(11, 16)} ` +
        `txn_count ${f.txn_count}, amount_sum ${Number(f.amount_sum).toFixed(2)}, amount_max ${f.amount_max}, ` +
        `distinct_merchants ${f.distinct_merchants}, velocity_score ${f.velocity_score}`,
    );
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
  log(
    `\ndemo done: ${produced.toLocaleString('en-US')} events -> Flink -> ${connector.counters.messages.toLocaleString('en-US')} windows -> Redis. The stack stays up: 'featureflow down' stops it.`,
  );
}
