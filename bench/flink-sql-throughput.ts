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
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { SqlGatewayClient } from '../src/flink/sql-gateway-client.ts';
import { submitSqlScript } from '../src/flink/submit-script.ts';
import { generateFile } from '../src/generate/generate-file.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { MessageProducer } from '../src/kafka/message-producer.ts';
import { produceFile } from '../src/produce/produce-file.ts';
import { libDirOf } from '../src/stack/artifacts.ts';
import { resolveHomeDir } from '../src/stack/stack-config.ts';
import { formatRate, machineLine, recordResult } from './support/measure.ts';

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
const input = join(dataDir, `sql-${events}.ndjson`);
await generateFile(input, {
  job: 'transactions',
  events,
  seed: 9,
  entities: 5000,
  startMs: Date.parse('2024-01-01T00:00:00Z'),
  meanGapMs: 20,
  maxDisorderMs: 3000,
  lateFraction: 0,
  invalidFraction: 0,
  windowSizeMs: 300_000,
  maxOutOfOrdernessMs: 5000,
});
let lastEventMs = 0;
for (const line of (await readFile(input, 'utf8')).split('\n')) {
  if (line)
    lastEventMs = Math.max(lastEventMs, (JSON.parse(line) as { timestamp: number }).timestamp);
}

const kafka = createKafkaClient({ clientId: 'bench-sql', brokers: endpoints.kafkaBrokers });
const admin = kafka.admin();
await admin.connect();
const stamp = Date.now().toString(36);
const eventsTopic = `bench-sql-${stamp}`;
const featuresTopic = `bench-sql-features-${stamp}`;
await admin.createTopics({
  topics: [eventsTopic, `${eventsTopic}.dlq`, featuresTopic].map((topic) => ({
    topic,
    numPartitions: 3,
    replicationFactor: 1,
  })),
  waitForLeaders: true,
});
const producer = new MessageProducer(kafka, endpoints.kafkaBrokers);
await producer.connect();
await produceFile({ job: 'transactions', inputPath: input, topic: eventsTopic, producer });
await producer.disconnect();

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
const target = lastEventMs - 5_000 - 1_000; // the last event, less D, less a second of slack
const rest = flags['flink-rest'];
const job = (await (await fetch(`${rest}/jobs/${jobId}`)).json()) as {
  vertices: { id: string; name: string }[];
};
const sourceVertex = job.vertices[0]!;
const windowVertex =
  job.vertices.find((v) => v.name.includes('GlobalWindowAggregate')) ?? job.vertices.at(-1)!;
// Done when the source has emitted every event (its operator metric) and the window operator's
// watermark has passed the last one. The watermark alone can race ahead on a backlog: Flink may
// read one partition before the others' watermarks exist.
let sourceRecordsMetric: string | undefined;
let readRecords = 0;
let watermark = Number.NEGATIVE_INFINITY;
while ((readRecords < events || watermark < target) && performance.now() - started < 600_000) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (sourceRecordsMetric === undefined) {
    const available = (await (
      await fetch(`${rest}/jobs/${jobId}/vertices/${sourceVertex.id}/metrics`)
    ).json()) as { id: string }[];
    sourceRecordsMetric = available.find((m) => /^0\.Source__.*\.numRecordsOut$/.test(m.id))?.id;
    continue;
  }
  const values = (await (
    await fetch(
      `${rest}/jobs/${jobId}/vertices/${sourceVertex.id}/metrics?get=${encodeURIComponent(sourceRecordsMetric)}`,
    )
  ).json()) as { value: string }[];
  readRecords = Number(values[0]?.value ?? 0);
  const marks = (await (
    await fetch(`${rest}/jobs/${jobId}/vertices/${windowVertex.id}/watermarks`)
  ).json()) as { value: string }[];
  watermark = Math.min(...marks.map((m) => Number(m.value)));
}
const seconds = (performance.now() - started) / 1000;
const gateway = new SqlGatewayClient(endpoints.flinkSqlGateway);
const session = await gateway.openSession();
await gateway.execute(session, `STOP JOB '${jobId}'`).catch(() => undefined);
await gateway.closeSession(session);
await admin
  .deleteTopics({ topics: [eventsTopic, `${eventsTopic}.dlq`, featuresTopic] })
  .catch(() => undefined);
await admin.disconnect();
await rm(input);

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
if (!flags['no-record']) await recordResult(section);
