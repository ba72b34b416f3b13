/**
 * The pure-SQL transaction job's sustained throughput on this machine: a backlog of N events
 * in Kafka, the job started on it, and the time until the window operator's watermark has
 * reached the last event (every window the backlog can fire has fired). Baseline in the same
 * run: reading the same backlog with Kafka's ConsumerPerformance (what Kafka alone delivers).
 *
 * Needs the local stack: `featureflow up`.
 *   npx tsx bench/flink-sql-throughput.ts [--events 300000] [--no-record]
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { submitSqlScript } from '../src/flink/submit-script.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { libDirOf } from '../src/stack/artifacts.ts';
import { resolveHomeDir } from '../src/stack/stack-config.ts';
import {
  createTopics,
  deleteTopics,
  FlinkJobProbe,
  generateTransactionBacklog,
  produceBacklog,
  stopJob,
} from './support/flink-job.ts';
import { formatRate, machineLine } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const run = promisify(execFile);
const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    'flink-rest': { type: 'string', default: 'http://127.0.0.1:8081' },
    'no-record': { type: 'boolean', default: false },
  },
});
const events = Number(flags.events);
const endpoints = resolveServiceEndpoints();
const dataDir = new URL('./data/', import.meta.url).pathname;
await mkdir(dataDir, { recursive: true });
const backlog = await generateTransactionBacklog(join(dataDir, `sql-${events}.ndjson`), {
  events,
  entities: 5000,
  seed: 9,
});

const kafka = createKafkaClient({ clientId: 'bench-sql', brokers: endpoints.kafkaBrokers });
const stamp = Date.now().toString(36);
const eventsTopic = `bench-sql-${stamp}`;
const featuresTopic = `bench-sql-features-${stamp}`;
const topics = [eventsTopic, `${eventsTopic}.dlq`, featuresTopic];
await createTopics(kafka, topics, 3);
await produceBacklog(kafka, endpoints.kafkaBrokers, backlog, eventsTopic);

// Baseline: Kafka alone delivering the backlog.
const tool = await run(
  'java',
  [
    '-cp',
    `${libDirOf(resolveHomeDir({}), 'kafka')}/*`,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    endpoints.kafkaBrokers.join(','),
    '--topic',
    eventsTopic,
    '--messages',
    String(events),
    '--group',
    `bench-sql-tool-${stamp}`,
  ],
  { maxBuffer: 1 << 24 },
);
const kafkaRate = Number(tool.stdout.trim().split('\n').pop()!.split(',')[5]);

const jobs = await submitSqlScript({
  file: new URL('../flink-sql/01_transaction_features_sql.sql', import.meta.url).pathname,
  gatewayUrl: endpoints.flinkSqlGateway,
  vars: {
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    TXN_EVENTS_TOPIC: eventsTopic,
    FEATURES_TRANSACTIONS_TOPIC: featuresTopic,
    GROUP_ID: `bench-sql-${stamp}`,
  },
  report: () => {},
});
const jobId = jobs[0]!.jobId;
const started = performance.now();
// Done when the source has emitted every event and the window operator's watermark passed the
// last one, less D, less a second of slack.
await new FlinkJobProbe(flags['flink-rest'], jobId).waitForBacklogRead(
  events,
  backlog.lastEventMs - 5_000 - 1_000,
  600_000,
);
const seconds = (performance.now() - started) / 1000;
await stopJob(endpoints.flinkSqlGateway, jobId);
await deleteTopics(kafka, topics);
await rm(backlog.path);

const sqlRate = events / seconds;
const section = `
## Flink pure-SQL transaction job: sustained throughput (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/flink-sql-throughput.ts --events ${events}\` (local stack up: 1 TaskManager, parallelism 1)
Machine: ${machineLine()}. A backlog of ${formatRate(events)} events (5,000 cards) in 3 partitions; the job's time from RUNNING
until its source had emitted every event (operator metric) and the window operator's watermark passed the last one. Baseline: ConsumerPerformance reading the same backlog.

| path | events/s |
| --- | --- |
| Flink SQL job (HOP 5m/1m, 10 features, Avro in and out) | ${formatRate(sqlRate)} (${seconds.toFixed(1)} s) |
| Kafka alone (ConsumerPerformance) | ${formatRate(kafkaRate)} |

Ratio job / Kafka: ${(sqlRate / kafkaRate).toFixed(2)}.
`;
console.log(section);
if (!flags['no-record']) {
  await recordResult('flink-sql-throughput', {
    figure: `${formatRate(sqlRate)} events/s (${formatRate(events)} events in ${seconds.toFixed(1)} s)`,
    baseline: `ConsumerPerformance: ${formatRate(kafkaRate)} events/s`,
    ratio: (sqlRate / kafkaRate).toFixed(2),
    target: '-',
    met: undefined,
  });
}
