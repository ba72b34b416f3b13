/**
 * Consumer runtime: peak memory against the number of open windows. For each entity count a
 * fresh process consumes the same number of events from its own topic into Redis; the peak
 * heap and RSS are read with the peak number of open windows. The baseline in the same run is
 * the same process idle (connected, nothing consumed).
 *
 * Needs the local stack: `featureflow up`.
 *   npx tsx bench/consumer-memory.ts [--events 100000] [--entities 1000,10000,50000] [--no-record]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { resolveConsumerConfig } from '../src/consumer/consumer-config.ts';
import { ConsumerRuntime } from '../src/consumer/consumer-runtime.ts';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { MessageProducer } from '../src/kafka/message-producer.ts';
import { produceGenerated } from '../src/produce/produce-generated.ts';
import { formatRate, machineLine } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const run = promisify(execFile);
const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    entities: { type: 'string', default: '1000,10000,50000' },
    child: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
  },
});
const events = Number(flags.events);
const endpoints = resolveServiceEndpoints();
const MiB = 2 ** 20;

if (flags.child !== undefined) {
  // One measurement: consume `events` of a topic of `entities` cards (0 = idle baseline).
  const entities = Number(flags.child);
  const kafka = createKafkaClient({ clientId: 'bench-mem', brokers: endpoints.kafkaBrokers });
  const topic = `bench-mem-${Date.now().toString(36)}-${entities}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topic, `${topic}.late`, `${topic}.dlq`].map((t) => ({
      topic: t,
      numPartitions: 3,
      replicationFactor: 1,
    })),
    waitForLeaders: true,
  });
  if (entities > 0) {
    const producer = new MessageProducer(kafka, endpoints.kafkaBrokers);
    await producer.connect();
    // A 1-minute slide over a long event-time span keeps every card's windows open for a while.
    await produceGenerated({
      stream: {
        job: builtInJobRegistry().get('transactions'),
        events,
        seed: 3,
        entities,
        startMs: Date.parse('2024-01-01T00:00:00Z'),
        meanGapMs: 5,
        maxDisorderMs: 3000,
        lateFraction: 0,
        invalidFraction: 0,
        windowSizeMs: 300_000,
        maxOutOfOrdernessMs: 5000,
      },
      topic,
      ratePerSecond: 0,
      producer,
    });
    await producer.disconnect();
  }
  global.gc?.();
  const config = resolveConsumerConfig(
    {
      job: 'transactions',
      topic,
      group: `${topic}-g`,
      statusInterval: '0',
    },
    builtInJobRegistry(),
  );
  const runtime = new ConsumerRuntime(config, () => {});
  void runtime.start();
  let peakHeap = 0;
  let peakRss = 0;
  let peakOpen = 0;
  const started = Date.now();
  while (
    (entities === 0 ? Date.now() - started < 5_000 : runtime.counters.messages < events) &&
    Date.now() - started < 300_000
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const memory = process.memoryUsage();
    peakHeap = Math.max(peakHeap, memory.heapUsed);
    peakRss = Math.max(peakRss, memory.rss);
    peakOpen = Math.max(peakOpen, runtime.openWindows);
  }
  await runtime.stop();
  await admin
    .deleteTopics({ topics: [topic, `${topic}.late`, `${topic}.dlq`] })
    .catch(() => undefined);
  await admin.disconnect();
  console.log(JSON.stringify({ entities, peakHeap, peakRss, peakOpen }));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const measure = async (entities: number) => {
  const { stdout } = await run(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      self,
      '--child',
      String(entities),
      '--events',
      String(events),
    ],
    { maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    entities: number;
    peakHeap: number;
    peakRss: number;
    peakOpen: number;
  };
};
const baseline = await measure(0);
const rows = [];
// The row of RESULTS.md shows the largest entity count: the most open windows.
let largest = { peakHeap: baseline.peakHeap, peakOpen: 0, perWindow: 0 };
for (const entities of flags.entities.split(',').map(Number)) {
  const m = await measure(entities);
  const perWindow = m.peakOpen > 0 ? (m.peakHeap - baseline.peakHeap) / m.peakOpen : 0;
  if (m.peakOpen >= largest.peakOpen)
    largest = { peakHeap: m.peakHeap, peakOpen: m.peakOpen, perWindow };
  rows.push(
    `| ${formatRate(entities)} | ${formatRate(m.peakOpen)} | ${(m.peakHeap / MiB).toFixed(0)} | ${(m.peakRss / MiB).toFixed(0)} | ${Math.round(perWindow)} |`,
  );
  console.log(rows.at(-1));
}
const section = `
## Consumer runtime: peak memory against open windows (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/consumer-memory.ts --events ${events} --entities ${flags.entities}\` (local stack up)
Machine: ${machineLine()}. Each row a fresh process consuming ${formatRate(events)} events into Redis; baseline: the same process idle,
peak heap ${(baseline.peakHeap / MiB).toFixed(0)} MiB, RSS ${(baseline.peakRss / MiB).toFixed(0)} MiB.

| cards | peak open windows | peak heap MiB | peak RSS MiB | heap bytes per open window over the baseline |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
console.log(section);
if (!flags['no-record']) {
  await recordResult('consumer-memory', {
    figure: `${(largest.peakHeap / MiB).toFixed(0)} MiB peak heap at ${formatRate(largest.peakOpen)} open windows (${Math.round(largest.perWindow)} B per open window)`,
    baseline: `the same process idle: ${(baseline.peakHeap / MiB).toFixed(0)} MiB heap`,
    ratio: (largest.peakHeap / baseline.peakHeap).toFixed(2),
    target: '-',
    met: undefined,
  });
}
