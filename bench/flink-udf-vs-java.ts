/**
 * "Should I have written this UDF in Java?": the transaction job's sustained throughput
 * with the TypeScript bridge (flink-sql/03: Flink -> flink-bridge -> gRPC -> `featureflow
 * udf-server`) against the same job whose function is a plain Java scalar function inside Flink
 * (bench/java-udf, SQL derived from 03: only the function differs). Same events, same run,
 * alternating jobs; every run's rows are held to replay's, so both jobs provably compute the same.
 *
 * Kafka backlog (1 partition) -> Flink job, started on it -> features topic. A job's time: from
 * RUNNING until its sink has written as many rows as replay fires (the features topic's end
 * offset, which counts records as the exactly-once sink writes them, before their commit; Flink's
 * own counters reach the REST API only every 10 s).
 *
 * On a shared machine the load moves more than the jobs differ: besides the ratio of the medians,
 * the median of the ratios of neighbouring runs (TypeScript, then Java) and CPU per event.
 *
 * Needs the local stack: `featureflow up`. Builds the bridge and Java jars if missing.
 *   npx tsx bench/flink-udf-vs-java.ts [--events 300000] [--entities 5000] [--runs 5] [--no-record]
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveServiceEndpoints } from '../src/config/environment.ts';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import { submitSqlScript } from '../src/flink/submit-script.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../src/kafka/watermark-flush.ts';
import { runLayout } from '../src/stack/run-folder.ts';
import { resolveRunDir } from '../src/stack/stack-config.ts';
import { readStackState } from '../src/stack/stack-state.ts';
import { startUdfServerProcess } from '../test/support/udf-server-process.ts';
import {
  checkCommittedRows,
  type RowCheck,
  replayReference,
  rowDifference,
} from './support/feature-rows.ts';
import {
  createTopics,
  deleteTopics,
  FlinkJobProbe,
  generateTransactionBacklog,
  produceBacklog,
  stopJob,
  type VertexLoad,
} from './support/flink-job.ts';
import {
  ensureJavaUdfJar,
  ensureMavenJar,
  TS_UDF_SCRIPT,
  writeJavaUdfScript,
} from './support/java-udf.ts';
import { formatRate, machineLine, median } from './support/measure.ts';
import { machineCpuSeconds, processCpuSeconds } from './support/process-cpu.ts';
import { recordResult } from './support/results-table.ts';
import {
  bottleneckLine,
  formatLoadTable,
  summarizeLoad,
  udfServerCounters,
} from './support/udf-vs-java-report.ts';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    entities: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
    'flink-rest': { type: 'string', default: 'http://127.0.0.1:8081' },
    'timeout-seconds': { type: 'string', default: '900' },
    'no-record': { type: 'boolean', default: false },
  },
});
const events = Number(flags.events);
const entities = Number(flags.entities);
const runsPerJob = Number(flags.runs);
const restUrl = flags['flink-rest'];
const timeoutMs = Number(flags['timeout-seconds']) * 1000;
const log = (line: string) => process.stderr.write(`${line}\n`);
const endpoints = resolveServiceEndpoints();
const brokers = endpoints.kafkaBrokers.join(',');

const BRIDGE_JAR = fileURLToPath(
  new URL('../udf-server/flink-bridge/target/featureflow-flink-bridge-0.1.0.jar', import.meta.url),
);
const BRIDGE_POM = fileURLToPath(new URL('../udf-server/flink-bridge/pom.xml', import.meta.url));
await ensureMavenJar(BRIDGE_JAR, BRIDGE_POM, log);
const javaJar = await ensureJavaUdfJar(log);
const javaScript = await writeJavaUdfScript();
const digestOf = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
    .slice(0, 12);
const bridgeDigest = await digestOf(BRIDGE_JAR);

// The same events for every run, and what replay computes from them.
const dataDir = fileURLToPath(new URL('./data/', import.meta.url));
await mkdir(dataDir, { recursive: true });
const backlog = await generateTransactionBacklog(join(dataDir, `udf-vs-java-${events}.ndjson`), {
  events,
  entities,
  seed: 9,
});
const replayOutput = join(dataDir, `udf-vs-java-${events}.replay.ndjson`);
const reference = await replayReference(backlog.path, replayOutput);
// Every 100th window, compared directly between the first TypeScript and the first Java run.
const sampleKeys = new Set([...reference.keys()].filter((_, i) => i % 100 === 0));
log(`${formatRate(events)} events, ${formatRate(reference.size)} windows in replay`);

// One partition: read in order, no event is late (a backlog in several partitions is read one
// partition ahead of the others, and Flink drops the others' early events as late). Then a
// sentinel far in the future, so the watermark fires every window, as the end of input does in
// replay.
const kafka = createKafkaClient({ clientId: 'bench-udf-vs-java', brokers: endpoints.kafkaBrokers });
const stamp = Date.now().toString(36);
const eventsTopic = `bench-udf-events-${stamp}`;
await createTopics(kafka, [eventsTopic, `${eventsTopic}.dlq`], 1);
await produceBacklog(kafka, endpoints.kafkaBrokers, backlog, eventsTopic);
await flushWatermarks(
  kafka,
  eventsTopic,
  builtInJobRegistry().get('transactions'),
  backlog.lastEventMs + 20 * 60_000,
);

const udfServer = await startUdfServerProcess();
const stack = readStackState(runLayout(resolveRunDir()));
const taskManagerPid = stack?.services.find((s) => s.name === 'flink-taskmanager')?.pid;

type Kind = 'typescript' | 'java';
interface RunResult {
  kind: Kind;
  seconds: number;
  rate: number;
  check: RowCheck;
  lateRows: number;
  taskManagerCpu: number;
  udfServerCpu: number;
  machineCpu: number;
  meanBatchRows: number;
  meanCallMs: number;
  loads: VertexLoad[][];
}

/** Records written to a topic so far, committed or not (plus transaction commit markers). */
async function endOffset(admin: ReturnType<typeof kafka.admin>, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

async function runJob(kind: Kind, index: number): Promise<RunResult> {
  // An admin per run: kafkajs keeps asking for the metadata of topics it saw, even deleted ones.
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await timedRun(kind, index, admin);
  } finally {
    await admin.disconnect();
  }
}

async function timedRun(
  kind: Kind,
  index: number,
  admin: ReturnType<typeof kafka.admin>,
): Promise<RunResult> {
  const name = `bench-udf-${kind}-${index}-${stamp}`;
  const featuresTopic = `${name}-features`;
  const lateTopic = `${name}-late`;
  await createTopics(kafka, [featuresTopic, lateTopic], 1);
  const vars: Record<string, string> = {
    KAFKA_BROKERS: brokers,
    TXN_EVENTS_TOPIC: eventsTopic,
    FEATURES_TRANSACTIONS_TOPIC: featuresTopic,
    TXN_EVENTS_LATE_TOPIC: lateTopic,
    GROUP_ID: name,
    TRANSACTIONAL_ID_PREFIX: `${name}-tx`,
    ...(kind === 'typescript'
      ? { FEATUREFLOW_BRIDGE_JAR: BRIDGE_JAR, UDF_ADDRESS: udfServer.address }
      : { JAVA_UDF_JAR: javaJar }),
  };
  const udfBefore = await udfServerCounters(udfServer.metricsUrl!);
  const [job] = await submitSqlScript({
    file: kind === 'typescript' ? TS_UDF_SCRIPT : javaScript,
    gatewayUrl: endpoints.flinkSqlGateway,
    vars,
    report: () => {},
  });
  const cpuBefore = [
    processCpuSeconds(taskManagerPid),
    processCpuSeconds(udfServer.child.pid),
    machineCpuSeconds(),
  ];
  const started = performance.now();
  const probe = new FlinkJobProbe(restUrl, job!.jobId);
  const loads: VertexLoad[][] = [];
  let nextLoadSample = started + 5_000;
  for (;;) {
    await sleep(200);
    if ((await endOffset(admin, featuresTopic)) >= reference.size) break;
    const now = performance.now();
    if (now - started > timeoutMs) {
      throw new Error(`${kind} job ${job!.jobId}: not done after ${timeoutMs} ms`);
    }
    if (now >= nextLoadSample) {
      loads.push(await probe.load());
      nextLoadSample = now + 5_000;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = [
    processCpuSeconds(taskManagerPid),
    processCpuSeconds(udfServer.child.pid),
    machineCpuSeconds(),
  ];
  const udfAfter = await udfServerCounters(udfServer.metricsUrl!);
  const check = await checkCommittedRows(
    kafka,
    featuresTopic,
    reference,
    index < 2 ? sampleKeys : new Set(),
    SENTINEL_ENTITY,
    120_000,
  );
  const lateRows = await endOffset(admin, lateTopic);
  await stopJob(endpoints.flinkSqlGateway, job!.jobId);
  await probe.waitForEnd(60_000);
  await deleteTopics(kafka, [featuresTopic, lateTopic]);
  const batches = udfAfter.batches - udfBefore.batches;
  return {
    kind,
    seconds,
    rate: events / seconds,
    check,
    lateRows,
    taskManagerCpu: cpuAfter[0]! - cpuBefore[0]!,
    udfServerCpu: cpuAfter[1]! - cpuBefore[1]!,
    machineCpu: cpuAfter[2]! - cpuBefore[2]!,
    meanBatchRows: batches > 0 ? (udfAfter.rows - udfBefore.rows) / batches : 0,
    meanCallMs: batches > 0 ? ((udfAfter.seconds - udfBefore.seconds) / batches) * 1000 : 0,
    loads,
  };
}

const loadBefore = loadavg();
const results: RunResult[] = [];
try {
  for (let i = 0; i < 2 * runsPerJob; i++) {
    const kind: Kind = i % 2 === 0 ? 'typescript' : 'java';
    const result = await runJob(kind, i);
    results.push(result);
    log(
      `run ${i + 1} ${kind}: ${formatRate(result.rate)} events/s (${result.seconds.toFixed(1)} s), ${formatRate(result.check.rows)} rows, ${result.check.mismatches} mismatches, ${result.check.duplicates} duplicates; CPU s: TaskManager ${result.taskManagerCpu.toFixed(1)}, UDF server ${result.udfServerCpu.toFixed(1)}, machine ${result.machineCpu.toFixed(1)}; load ${loadavg()[0]!.toFixed(2)}`,
    );
    for (const example of result.check.examples) log(`  ${example}`);
  }
} finally {
  await udfServer.stop();
  await deleteTopics(kafka, [eventsTopic, `${eventsTopic}.dlq`]);
  await rm(backlog.path);
  await rm(replayOutput);
}
const loadAfter = loadavg();
// Another change to the bridge landing mid-benchmark would mix two bridges in one median.
if ((await digestOf(BRIDGE_JAR)) !== bridgeDigest) {
  throw new Error(`${BRIDGE_JAR} changed during the benchmark: run it again`);
}

const of = (kind: Kind) => results.filter((r) => r.kind === kind);
const medianOf = (kind: Kind, value: (r: RunResult) => number) => median(of(kind).map(value));
const tsRate = medianOf('typescript', (r) => r.rate);
const javaRate = medianOf('java', (r) => r.rate);
const ratio = tsRate / javaRate;
// Each TypeScript run against the Java run right after it: neighbours share the machine's load
// best, which on a shared machine moves more than the jobs differ.
const pairRatio = median(of('typescript').map((ts, i) => ts.rate / of('java')[i]!.rate));
const cpuPerKEvents = (r: RunResult) =>
  ((r.taskManagerCpu + (r.kind === 'typescript' ? r.udfServerCpu : 0)) / events) * 1e6;
const tsCpu = medianOf('typescript', cpuPerKEvents);
const javaCpu = medianOf('java', cpuPerKEvents);
const allMatch = results.every(
  (r) =>
    r.check.rows === reference.size &&
    r.check.mismatches === 0 &&
    r.check.duplicates === 0 &&
    r.lateRows === 0,
);
// The same windows straight from one job to the other, not only through replay.
const tsSample = results.find((r) => r.kind === 'typescript')!.check.sample;
const javaSample = results.find((r) => r.kind === 'java')!.check.sample;
const sampleDifferences = [...sampleKeys].filter((key) => {
  const a = tsSample.get(key);
  const b = javaSample.get(key);
  return a === undefined || b === undefined || rowDifference(a, b) !== undefined;
}).length;

const tsLoad = summarizeLoad(of('typescript').map((r) => r.loads));
const javaLoad = summarizeLoad(of('java').map((r) => r.loads));
const perKEvents = (cpu: number) => ((cpu / events) * 1000 * 1000).toFixed(1);
const runRows = results
  .map(
    (r, i) =>
      `| ${i + 1} | ${r.kind === 'typescript' ? 'TypeScript bridge' : 'Java UDF'} | ${r.seconds.toFixed(1)} | ${formatRate(r.rate)} | ${formatRate(r.check.rows)} | ${r.check.mismatches + r.check.duplicates} | ${perKEvents(r.taskManagerCpu)} | ${r.kind === 'typescript' ? perKEvents(r.udfServerCpu) : '-'} | ${perKEvents(r.machineCpu)} | ${r.kind === 'typescript' ? `${r.meanBatchRows.toFixed(0)} / ${r.meanCallMs.toFixed(1)} ms` : '-'} |`,
  )
  .join('\n');
const section = `
## Flink transaction job: TypeScript bridge vs a plain Java UDF (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/flink-udf-vs-java.ts --events ${events} --entities ${entities} --runs ${runsPerJob}\` (local stack up: 1 TaskManager, parallelism 1; bridge jar sha256 ${bridgeDigest})
Machine: ${machineLine()}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after (shared machine).
The same ${formatRate(events)} events (${formatRate(entities)} cards, seed 9, bounded disorder, none late) in one Kafka partition, read from the start by each run; alternating runs.
TypeScript: flink-sql/03 as is (transaction_features through the bridge into \`featureflow udf-server\`, started by the benchmark).
Java: bench/java-udf/target/transaction_features_java.sql, derived from 03 on each run (only the function differs), calling bench/java-udf's ScalarFunction.
A run's time: from RUNNING until the exactly-once sink had written all ${formatRate(reference.size)} windows (the features topic's end offset).
Rows checked: every run's committed rows against replay of the same file (same keys, each once, every column within 1e-9 relative, no late rows), and ${formatRate(sampleKeys.size)} windows directly between the first TypeScript and the first Java run.
CPU columns: CPU ms per 1,000 events over the timed window (/proc): the TaskManager (the whole job, the bridge's Java side included), the UDF server, and the whole machine (every process, other users' too).

| run | job | seconds | events/s | rows | wrong rows | TaskManager CPU | UDF server CPU | machine CPU | UDF batch rows / call time |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${runRows}

| job | median events/s | median CPU ms per 1,000 events (TaskManager + UDF server) |
| --- | --- | --- |
| TypeScript bridge | ${formatRate(tsRate)} | ${tsCpu.toFixed(1)} |
| Java UDF | ${formatRate(javaRate)} | ${javaCpu.toFixed(1)} |

Ratio TypeScript / Java: ${ratio.toFixed(2)} of the medians, ${pairRatio.toFixed(2)} median of the ${runsPerJob} pairs of neighbouring runs (target 0.7: ${Math.min(ratio, pairRatio) >= 0.7 ? 'met' : 'NOT met'}). CPU per event, Java / TypeScript: ${(javaCpu / tsCpu).toFixed(2)} (what the ratio would tend to where the cores, not one task thread, are the limit). Rows: ${allMatch ? `all ${2 * runsPerJob} runs wrote replay's ${formatRate(reference.size)} windows, each once, equal within 1e-9` : 'SOME RUNS DIFFER FROM REPLAY (see the wrong rows column)'}; TypeScript vs Java sample: ${sampleDifferences === 0 ? `${formatRate(sampleKeys.size)} of ${formatRate(sampleKeys.size)} equal within 1e-9` : `${sampleDifferences} of ${formatRate(sampleKeys.size)} DIFFER`}.

Flink's operator load (ms per second of each vertex's one subtask, as Flink reports it: mean of the samples taken every 5 s during a run, median over runs). ${bottleneckLine(tsLoad, javaLoad)}

${formatLoadTable(tsLoad, javaLoad)}
`;
console.log(section);
if (!flags['no-record']) {
  await recordResult('flink-udf-vs-java', {
    figure: `TypeScript UDF: ${formatRate(tsRate)} events/s (${tsCpu.toFixed(1)} CPU ms per 1,000 events)`,
    baseline: `Java UDF: ${formatRate(javaRate)} events/s (${javaCpu.toFixed(1)} CPU ms per 1,000 events)`,
    ratio: `${ratio.toFixed(2)} of the medians, ${pairRatio.toFixed(2)} of neighbouring runs`,
    target: '>= 0.7 (both)',
    met: Math.min(ratio, pairRatio) >= 0.7 && allMatch && sampleDifferences === 0,
  });
}
if (!allMatch || sampleDifferences > 0) process.exitCode = 1;
