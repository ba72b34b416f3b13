/**
 * Kafka throughput against Kafka's own tools, same broker, same run, alternating passes:
 *   produce:  `featureflow produce` (validate + Avro + kafkajs) vs
 *             org.apache.kafka.tools.ProducerPerformance (same record count and size, acks=all)
 *   consume:  the consumer runtime (decode + validate + windows + features + Redis + commits) vs
 *             org.apache.kafka.tools.ConsumerPerformance on the same topic
 *
 * Needs the local stack: `featureflow up` (or KAFKA_BROKERS / REDIS_URL of another).
 *   npx tsx bench/kafka-throughput.ts [--events 200000] [--runs 3] [--no-record]
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { resolveConsumerConfig } from '../src/consumer/consumer-config.ts';
import { ConsumerRuntime } from '../src/consumer/consumer-runtime.ts';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import { AvroSerializer } from '../src/core/utils/avro.ts';
import { generateFile } from '../src/generate/generate-file.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { MessageProducer } from '../src/kafka/message-producer.ts';
import { produceFile } from '../src/produce/produce-file.ts';
import { libDirOf } from '../src/stack/artifacts.ts';
import { resolveHomeDir } from '../src/stack/stack-config.ts';
import { formatRate, machineLine, median } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const run = promisify(execFile);
/** Issue 18: ours over Kafka's tool, same run. */
const PRODUCE_TARGET = 0.6;
const CONSUME_TARGET = 0.4;
const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    'no-record': { type: 'boolean', default: false },
  },
});
const events = Number(flags.events);
const runs = Number(flags.runs);
const endpoints = resolveServiceEndpoints();
const brokers = endpoints.kafkaBrokers.join(',');
const classpath = `${libDirOf(resolveHomeDir({}), 'kafka')}/*`;
const dataDir = new URL('./data/', import.meta.url).pathname;
await mkdir(dataDir, { recursive: true });
const input = join(dataDir, `kafka-${events}.ndjson`);
await generateFile(input, {
  job: builtInJobRegistry().get('transactions'),
  events,
  seed: 5,
  entities: 5000,
  startMs: Date.parse('2024-01-01T00:00:00Z'),
  meanGapMs: 20,
  maxDisorderMs: 3000,
  lateFraction: 0,
  invalidFraction: 0,
  windowSizeMs: 300_000,
  maxOutOfOrdernessMs: 5000,
});
const kafka = createKafkaClient({ clientId: 'bench', brokers: endpoints.kafkaBrokers });
const admin = kafka.admin();
await admin.connect();
const stamp = Date.now().toString(36);
let topicCount = 0;
async function newTopic(): Promise<string> {
  const topic = `bench-${stamp}-${topicCount++}`;
  await admin.createTopics({
    topics: [topic, `${topic}.dlq`, `${topic}.late`].map((t) => ({
      topic: t,
      numPartitions: 3,
      replicationFactor: 1,
    })),
    waitForLeaders: true,
  });
  return topic;
}

const ours: number[] = [];
const theirs: number[] = [];
const consumeOurs: number[] = [];
const consumeTheirs: number[] = [];
let recordSize = 0;
for (let i = 0; i < runs; i++) {
  // Produce: ours.
  const topic = await newTopic();
  const producer = new MessageProducer(kafka, endpoints.kafkaBrokers);
  await producer.connect();
  const produced = await produceFile({
    job: builtInJobRegistry().get('transactions'),
    inputPath: input,
    topic,
    producer,
  });
  await producer.disconnect();
  ours.push(produced.produced / (produced.elapsedMs / 1000));
  if (recordSize === 0) {
    // ProducerPerformance sends fixed-size records: use the mean size of our Avro values.
    const serializer = AvroSerializer.forTopic<unknown>('txn.events');
    const sample = (await readFile(input, 'utf8'))
      .split('\n')
      .slice(0, 1000)
      .filter((l) => l.length > 0);
    recordSize = Math.round(
      sample.reduce((sum, line) => sum + serializer.serialize(JSON.parse(line)).length, 0) /
        sample.length,
    );
  }
  // Produce: Kafka's tool, same count and record size.
  const toolTopic = await newTopic();
  const { stdout } = await run(
    'java',
    [
      '-cp',
      classpath,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      toolTopic,
      '--num-records',
      String(events),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${brokers}`,
      'acks=all',
    ],
    { maxBuffer: 1 << 24 },
  );
  theirs.push(Number(/([\d.]+) records\/sec/.exec(stdout.trim().split('\n').pop()!)![1]));

  // Consume: the runtime over our topic (to Redis), until every event is read and committed.
  const config = resolveConsumerConfig(
    {
      job: 'transactions',
      topic,
      group: `bench-${stamp}-${i}`,
      statusInterval: '0',
    },
    builtInJobRegistry(),
  );
  const runtime = new ConsumerRuntime(config, () => {});
  const started = performance.now();
  void runtime.start();
  while (runtime.counters.messages < events)
    await new Promise((resolve) => setTimeout(resolve, 20));
  consumeOurs.push(events / ((performance.now() - started) / 1000));
  await runtime.stop();
  // Consume: Kafka's tool on the same topic.
  const consumed = await run(
    'java',
    [
      '-cp',
      classpath,
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      brokers,
      '--topic',
      topic,
      '--messages',
      String(events),
      '--group',
      `bench-tool-${stamp}-${i}`,
      '--show-detailed-stats',
    ].filter((a) => a !== '--show-detailed-stats'),
    { maxBuffer: 1 << 24 },
  );
  const last = consumed.stdout
    .trim()
    .split('\n')
    .pop()!
    .split(',')
    .map((c) => c.trim());
  consumeTheirs.push(Number(last[5]));
  console.log(
    `run ${i + 1}: produce ours ${formatRate(ours.at(-1)!)}/s vs tool ${formatRate(theirs.at(-1)!)}/s; consume ours ${formatRate(consumeOurs.at(-1)!)}/s vs tool ${formatRate(consumeTheirs.at(-1)!)}/s`,
  );
}
await admin.disconnect();
await rm(input);

const section = `
## Kafka: produce and consume against Kafka's own tools (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/kafka-throughput.ts --events ${events} --runs ${runs}\` (local stack up)
Machine: ${machineLine()}. Kafka 4.1 single node, 3 partitions, acks=all; medians of ${runs} alternating runs.
ProducerPerformance sends ${recordSize}-byte records (about our Avro size); ours validates and Avro-encodes NDJSON.
The consumer runtime decodes, validates, windows, computes features, writes Redis and commits; ConsumerPerformance only reads.

| path | ours (events/s) | Kafka tool (events/s) | ratio | target |
| --- | --- | --- | --- | --- |
| produce | ${formatRate(median(ours))} | ${formatRate(median(theirs))} | ${(median(ours) / median(theirs)).toFixed(2)} | >= ${PRODUCE_TARGET} |
| consume | ${formatRate(median(consumeOurs))} | ${formatRate(median(consumeTheirs))} | ${(median(consumeOurs) / median(consumeTheirs)).toFixed(2)} | >= ${CONSUME_TARGET} |
`;
console.log(section);
if (!flags['no-record']) {
  const produceRatio = median(ours) / median(theirs);
  const consumeRatio = median(consumeOurs) / median(consumeTheirs);
  await recordResult('kafka-throughput', {
    figure: `produce ${formatRate(median(ours))}, consume ${formatRate(median(consumeOurs))} events/s`,
    baseline: `ProducerPerformance ${formatRate(median(theirs))}, ConsumerPerformance ${formatRate(median(consumeTheirs))} events/s`,
    ratio: `produce ${produceRatio.toFixed(2)}, consume ${consumeRatio.toFixed(2)}`,
    target: `produce >= ${PRODUCE_TARGET}, consume >= ${CONSUME_TARGET}`,
    met: produceRatio >= PRODUCE_TARGET && consumeRatio >= CONSUME_TARGET,
  });
}
