/**
 * "Should I have written this UDF in Java, or in SQL?": the transaction job's sustained
 * throughput with the TypeScript bridge (flink-sql/03: Flink -> flink-bridge -> gRPC ->
 * `featureflow udf-server`) against the same job whose function is a plain Java scalar function
 * inside Flink (bench/java-udf, SQL derived from 03: only the function differs) and against the
 * pure-SQL job (flink-sql/01). Same events, same run, jobs in turn; every run's rows are held to
 * replay's, so all jobs provably compute the same. Baseline of events/s per slot: Kafka's
 * ConsumerPerformance reading the same backlog.
 *
 * Flink's own tuning, applied to every job of the run without editing the files
 * (bench/support/flink-settings.ts): `--set key=value` (a SET in the job's session) and `--module
 * key=value` (an option of the bridge's LOAD MODULE), each repeatable.
 *
 * Kafka backlog (1 partition) -> Flink job, started on it -> features topic. A job's time: from
 * RUNNING until its sink has written as many rows as replay fires (the features topic's end
 * offset, which counts records as the exactly-once sink writes them, before their commit; Flink's
 * own counters reach the REST API only every 10 s). Sustained events/s (the figure compared):
 * over the time from a tenth of the rows to all of them, which leaves each job's start out.
 *
 * On a shared machine the load moves more than the jobs differ: besides the ratio of the medians,
 * the median of the ratios of neighbouring runs (TypeScript, then Java) and CPU per event.
 *
 * Needs the local stack: `featureflow up`. Builds the bridge and Java jars if missing.
 *   npx tsx bench/flink-udf-vs-java.ts [--events 300000] [--entities 5000] [--runs 5]
 *     [--jobs typescript,java,sql] [--set key=value ...] [--module key=value ...]
 *     [--profiles shipped,one-phase,...] [--no-warmup] [--no-record]
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  applyFlinkSettings,
  describeSettings,
  type FlinkSettings,
  parseSettingFlags,
  tuningProfile,
} from './support/flink-settings.ts';
import {
  deriveJavaUdfScript,
  ensureJavaUdfJar,
  ensureMavenJar,
  TS_UDF_SCRIPT,
} from './support/java-udf.ts';
import { consumerPerformanceRate } from './support/kafka-baseline.ts';
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
    jobs: { type: 'string', default: 'typescript,java,sql' },
    set: { type: 'string', multiple: true, default: [] },
    module: { type: 'string', multiple: true, default: [] },
    profiles: { type: 'string' },
    'no-warmup': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});
type Kind = 'typescript' | 'java' | 'sql';
const KINDS: readonly Kind[] = ['typescript', 'java', 'sql'];
const LABELS: Record<Kind, string> = {
  typescript: 'TypeScript bridge',
  java: 'Java UDF',
  sql: 'pure SQL',
};
const kinds = flags.jobs.split(',').map((k) => k.trim()) as Kind[];
if (!kinds.includes('typescript') || kinds.some((k) => !KINDS.includes(k))) {
  throw new Error(
    `--jobs ${flags.jobs}: expected typescript and any of java, sql, comma-separated (e.g. --jobs typescript,java,sql)`,
  );
}
// The settings each job runs under: named profiles (--profiles), or the --set/--module flags.
const given: FlinkSettings = {
  sets: parseSettingFlags('--set', flags.set),
  moduleOptions: parseSettingFlags('--module', flags.module),
};
const profiles: [string, FlinkSettings][] =
  flags.profiles === undefined
    ? [[given.sets.length + given.moduleOptions.length === 0 ? 'shipped' : 'given', given]]
    : flags.profiles.split(',').map((name) => [name.trim(), tuningProfile(name.trim())]);
if (!flags['no-record'] && (profiles.length > 1 || kinds.length < KINDS.length)) {
  throw new Error(
    'the results row is of all three jobs under one profile: run without --jobs and --profiles, or with --no-record',
  );
}
// The target: the bridge job at 0.8 of each of the others, in the same run.
const TARGET = 0.8;
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
const SQL_SCRIPT = fileURLToPath(
  new URL('../flink-sql/01_transaction_features_sql.sql', import.meta.url),
);
const tsSource = await readFile(TS_UDF_SCRIPT, 'utf8');
const scriptSources: Record<Kind, string> = {
  typescript: tsSource,
  java: deriveJavaUdfScript(tsSource),
  sql: await readFile(SQL_SCRIPT, 'utf8'),
};
const digestOf = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
    .slice(0, 12);
const bridgeDigest = await digestOf(BRIDGE_JAR);

// The same events for every run, and what replay computes from them.
const dataDir = fileURLToPath(new URL('./data/', import.meta.url));
await mkdir(dataDir, { recursive: true });
// Each job's file under each profile (the bridge's options only where the bridge is).
const scriptOf = (profile: string, kind: Kind) =>
  join(dataDir, `udf-vs-java-${profile}-${kind}.sql`);
for (const [profile, settings] of profiles) {
  for (const kind of kinds) {
    await writeFile(
      scriptOf(profile, kind),
      applyFlinkSettings(
        scriptSources[kind],
        kind === 'typescript' ? settings : { ...settings, moduleOptions: [] },
      ),
    );
  }
}
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

// Kafka alone on the same backlog: what one consumer (one source subtask's share) delivers.
const kafkaRate = await consumerPerformanceRate(
  endpoints.kafkaBrokers,
  eventsTopic,
  events,
  `bench-udf-kafka-${stamp}`,
);
log(`ConsumerPerformance: ${formatRate(kafkaRate)} events/s`);

const udfServer = await startUdfServerProcess();
const stack = readStackState(runLayout(resolveRunDir()));
const taskManagerPid = stack?.services.find((s) => s.name === 'flink-taskmanager')?.pid;

interface RunResult {
  kind: Kind;
  profile: string;
  seconds: number;
  /** Events/s from RUNNING until the last window: the job's start included. */
  overallRate: number;
  /** Events/s while the sink wrote the last 90% of the windows: the job at speed. */
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

async function runJob(kind: Kind, profile: string, index: number): Promise<RunResult> {
  // An admin per run: kafkajs keeps asking for the metadata of topics it saw, even deleted ones.
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await timedRun(kind, profile, index, admin);
  } finally {
    await admin.disconnect();
  }
}

async function timedRun(
  kind: Kind,
  profile: string,
  index: number,
  admin: ReturnType<typeof kafka.admin>,
): Promise<RunResult> {
  const name = `bench-udf-${kind}-${index < 0 ? 'warmup' : index}-${stamp}`;
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
    // The Java job needs the bridge jar too: its late filter calls last_window_fire_time.
    ...(kind === 'sql' ? {} : { FEATUREFLOW_BRIDGE_JAR: BRIDGE_JAR }),
    ...(kind === 'typescript' ? { UDF_ADDRESS: udfServer.address } : {}),
    ...(kind === 'java' ? { JAVA_UDF_JAR: javaJar } : {}),
  };
  const udfBefore = await udfServerCounters(udfServer.metricsUrl!);
  const [job] = await submitSqlScript({
    file: scriptOf(profile, kind),
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
  let tenthAt: number | undefined;
  for (;;) {
    await sleep(200);
    const written = await endOffset(admin, featuresTopic);
    const now = performance.now();
    if (written >= reference.size) break;
    if (tenthAt === undefined && written >= reference.size / 10) tenthAt = now;
    if (now - started > timeoutMs) {
      throw new Error(`${kind} job ${job!.jobId}: not done after ${timeoutMs} ms`);
    }
    if (now >= nextLoadSample) {
      loads.push(await probe.load());
      nextLoadSample = now + 5_000;
    }
  }
  const ended = performance.now();
  const seconds = (ended - started) / 1000;
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
    index < kinds.length * profiles.length ? sampleKeys : new Set(),
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
    profile,
    seconds,
    overallRate: events / seconds,
    // Windows fire as the watermark passes them, so they track the events read.
    rate: (0.9 * events) / ((ended - (tenthAt ?? started)) / 1000),
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
  if (!flags['no-warmup']) {
    // A fresh TaskManager's first job also pays for class loading and JIT compilation.
    const warm = await runJob('typescript', profiles[0]![0], -1);
    log(`warm-up run (not counted): ${formatRate(warm.rate)} events/s`);
  }
  const order = profiles.flatMap(([profile]) => kinds.map((kind) => [profile, kind] as const));
  for (let i = 0; i < order.length * runsPerJob; i++) {
    const [profile, kind] = order[i % order.length]!;
    const result = await runJob(kind, profile, i);
    results.push(result);
    log(
      `run ${i + 1} ${profile} ${kind}: ${formatRate(result.rate)} events/s sustained, ${formatRate(result.overallRate)} from RUNNING (${result.seconds.toFixed(1)} s), ${formatRate(result.check.rows)} rows, ${result.check.mismatches} mismatches, ${result.check.duplicates} duplicates; CPU s: TaskManager ${result.taskManagerCpu.toFixed(1)}, UDF server ${result.udfServerCpu.toFixed(1)}, machine ${result.machineCpu.toFixed(1)}; load ${loadavg()[0]!.toFixed(2)}`,
    );
    for (const example of result.check.examples) log(`  ${example}`);
  }
} finally {
  await udfServer.stop();
  await deleteTopics(kafka, [eventsTopic, `${eventsTopic}.dlq`]);
  await rm(backlog.path);
  await rm(replayOutput);
  for (const [profile] of profiles) {
    for (const kind of kinds) await rm(scriptOf(profile, kind));
  }
}
const loadAfter = loadavg();
// Another change to the bridge landing mid-benchmark would mix two bridges in one median.
if ((await digestOf(BRIDGE_JAR)) !== bridgeDigest) {
  throw new Error(`${BRIDGE_JAR} changed during the benchmark: run it again`);
}

const cpuPerKEvents = (r: RunResult) =>
  ((r.taskManagerCpu + (r.kind === 'typescript' ? r.udfServerCpu : 0)) / events) * 1e6;
const others = kinds.filter((k) => k !== 'typescript');

/** One profile's medians, same-run ratios and direct row comparison. */
function summarizeProfile(profile: string) {
  const of = (kind: Kind) => results.filter((r) => r.profile === profile && r.kind === kind);
  const medianOf = (kind: Kind, value: (r: RunResult) => number) => median(of(kind).map(value));
  const rate = (kind: Kind) => medianOf(kind, (r) => r.rate);
  const cpu = (kind: Kind) => medianOf(kind, cpuPerKEvents);
  // Each TypeScript run against the other jobs' runs of the same round: neighbours share the
  // machine's load best, which on a shared machine moves more than the jobs differ.
  const ratios = others.map((kind) => {
    const medians = rate('typescript') / rate(kind);
    const pairs = median(of('typescript').map((ts, i) => ts.rate / of(kind)[i]!.rate));
    return { kind, medians, pairs, met: Math.min(medians, pairs) >= TARGET };
  });
  // The same windows straight from the TypeScript job to the others, not only through replay.
  const sampleOf = (kind: Kind) => of(kind)[0]!.check.sample;
  const sampleDifferences = others.map((kind) => ({
    kind,
    differing: [...sampleKeys].filter((key) => {
      const a = sampleOf('typescript').get(key);
      const b = sampleOf(kind).get(key);
      return a === undefined || b === undefined || rowDifference(a, b) !== undefined;
    }).length,
  }));
  const loads = kinds.map(
    (kind) => [`${profile} ${LABELS[kind]}`, summarizeLoad(of(kind).map((r) => r.loads))] as const,
  );
  return { profile, rate, cpu, ratios, sampleDifferences, loads };
}
const summaries = profiles.map(([profile]) => summarizeProfile(profile));
const allMatch = results.every(
  (r) =>
    r.check.rows === reference.size &&
    r.check.mismatches === 0 &&
    r.check.duplicates === 0 &&
    r.lateRows === 0,
);
const samplesAgree = summaries.every((s) => s.sampleDifferences.every((d) => d.differing === 0));

const perKEvents = (cpu: number) => ((cpu / events) * 1000 * 1000).toFixed(1);
const runRows = results
  .map(
    (r, i) =>
      `| ${i + 1} | ${r.profile} | ${LABELS[r.kind]} | ${r.seconds.toFixed(1)} | ${formatRate(r.overallRate)} | ${formatRate(r.rate)} | ${formatRate(r.check.rows)} | ${r.check.mismatches + r.check.duplicates} | ${perKEvents(r.taskManagerCpu)} | ${r.kind === 'typescript' ? perKEvents(r.udfServerCpu) : '-'} | ${perKEvents(r.machineCpu)} | ${r.kind === 'typescript' ? `${r.meanBatchRows.toFixed(0)} / ${r.meanCallMs.toFixed(1)} ms` : '-'} |`,
  )
  .join('\n');
const first = summaries[0]!;
const effect = (x: number, base: number) =>
  `${x >= base ? '+' : ''}${((x / base - 1) * 100).toFixed(0)}%`;
const profileRows = summaries
  .map(
    (s) =>
      `| ${s.profile} | ${describeSettings(profiles.find(([p]) => p === s.profile)![1])} | ${kinds.map((k) => `${formatRate(s.rate(k))} (${effect(s.rate(k), first.rate(k))})`).join(' | ')} | ${s.ratios.map((r) => `${r.medians.toFixed(2)} / ${r.pairs.toFixed(2)}`).join(' | ')} |`,
  )
  .join('\n');
const summaryRows = summaries
  .flatMap((s) =>
    kinds.map(
      (kind) =>
        `| ${s.profile} | ${LABELS[kind]} | ${formatRate(s.rate(kind))} | ${(s.rate(kind) / kafkaRate).toFixed(3)} | ${s.cpu(kind).toFixed(1)} |`,
    ),
  )
  .join('\n');
const ratioLines = summaries
  .flatMap((s) =>
    s.ratios.map(
      (r) =>
        `${s.profile}: TypeScript / ${LABELS[r.kind]}: ${r.medians.toFixed(2)} of the medians, ${r.pairs.toFixed(2)} median of the ${runsPerJob} neighbouring pairs (target ${TARGET}: ${r.met ? 'met' : 'NOT met'}); CPU per event ${LABELS[r.kind]} / TypeScript: ${(s.cpu(r.kind) / s.cpu('typescript')).toFixed(2)}.`,
    ),
  )
  .join('\n');
const loads = summaries.flatMap((s) => s.loads);
const jobCommand = `npx tsx bench/flink-udf-vs-java.ts --events ${events} --entities ${entities} --runs ${runsPerJob}${flags.jobs === 'typescript,java,sql' ? '' : ` --jobs ${flags.jobs}`}${flags.profiles === undefined ? '' : ` --profiles ${flags.profiles}`}${flags.set.map((x) => ` --set '${x}'`).join('')}${flags.module.map((x) => ` --module '${x}'`).join('')}`;
const section = `
## Flink transaction job: TypeScript bridge vs a plain Java UDF vs pure SQL (${new Date().toISOString().slice(0, 10)})
Command: \`${jobCommand}\` (local stack up: 1 TaskManager, parallelism 1; bridge jar sha256 ${bridgeDigest})
Profiles (settings applied to every job of the profile; their runs alternate within each round): ${profiles.map(([p, settings]) => `${p}: ${describeSettings(settings)}`).join('; ')}.
Machine: ${machineLine()}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after (shared machine).
The same ${formatRate(events)} events (${formatRate(entities)} cards, seed 9, bounded disorder, none late) in one Kafka partition, read from the start by each run; jobs in turn (${kinds.join(', ')}).
TypeScript: flink-sql/03 (transaction_features through the bridge into \`featureflow udf-server\`, started by the benchmark).
Java: 03 with the TypeScript function swapped for bench/java-udf's ScalarFunction (bench/support/java-udf.ts; only the function differs).
Pure SQL: flink-sql/01 (the same features as SQL aggregates; its sink is at-least-once, the others' exactly-once).
A run's time: from RUNNING until the sink had written all ${formatRate(reference.size)} windows (the features topic's end offset). Sustained events/s, what the medians and ratios below use: 90% of the events over the time the sink took from 10% to all of the windows (windows fire as the watermark passes them, so they track the events read); it leaves out each job's start (planning is before RUNNING, but a job still loads its classes, the bridge's gRPC client among them, and compiles them afresh: ADD JAR gives each job a class loader of its own).
Rows checked: every run's committed rows against replay of the same file (same keys, each once, every column within 1e-9 relative, no late rows), and ${formatRate(sampleKeys.size)} windows directly between the first TypeScript run and the first run of each other job.
CPU columns: CPU ms per 1,000 events over the timed window (/proc): the TaskManager (the whole job, the bridge's Java side included), the UDF server, and the whole machine (every process, other users' too).

| run | profile | job | seconds | events/s from RUNNING | events/s sustained | rows | wrong rows | TaskManager CPU | UDF server CPU | machine CPU | UDF batch rows / call time |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${runRows}

Events/s per slot (parallelism 1), against Kafka alone on the same backlog (ConsumerPerformance, one consumer): ${formatRate(kafkaRate)} events/s.

| profile | job | median events/s per slot | of ConsumerPerformance | median CPU ms per 1,000 events (TaskManager + UDF server) |
| --- | --- | --- | --- | --- |
${summaryRows}

Each profile's effect (median events/s, and the change against the first profile, ${first.profile}, in the same run), and the TypeScript job's ratios to the others (medians / neighbouring runs):

| profile | settings | ${kinds.map((k) => LABELS[k]).join(' | ')} | ${others.map((k) => `TypeScript / ${LABELS[k]}`).join(' | ')} |
| --- | --- | ${kinds.map(() => '---').join(' | ')} | ${others.map(() => '---').join(' | ')} |
${profileRows}

${ratioLines}
Rows: ${allMatch ? `all ${results.length} runs wrote replay's ${formatRate(reference.size)} windows, each once, equal within 1e-9` : 'SOME RUNS DIFFER FROM REPLAY (see the wrong rows column)'}; ${summaries.flatMap((s) => s.sampleDifferences.map((d) => `${s.profile} TypeScript vs ${LABELS[d.kind]} sample: ${d.differing === 0 ? `${formatRate(sampleKeys.size)} of ${formatRate(sampleKeys.size)} equal within 1e-9` : `${d.differing} of ${formatRate(sampleKeys.size)} DIFFER`}`)).join('; ')}.

Flink's operator load (ms per second of each vertex's one subtask, as Flink reports it: mean of the samples taken every 5 s during a run, median over runs). ${bottleneckLine(loads)}

${formatLoadTable(loads)}
`;
console.log(section);
if (!flags['no-record']) {
  const java = first.ratios.find((r) => r.kind === 'java');
  const sql = first.ratios.find((r) => r.kind === 'sql');
  if (java === undefined || sql === undefined || profiles.length > 1) {
    throw new Error(
      'the results row is of all three jobs under one profile: run without --jobs and --profiles, or with --no-record',
    );
  }
  await recordResult('flink-udf-vs-java', {
    figure: `TypeScript UDF: ${formatRate(first.rate('typescript'))} events/s (${first.cpu('typescript').toFixed(1)} CPU ms per 1,000 events)`,
    baseline: `Java UDF: ${formatRate(first.rate('java'))} events/s (${first.cpu('java').toFixed(1)} CPU ms per 1,000 events); pure SQL: ${formatRate(first.rate('sql'))} events/s; ConsumerPerformance: ${formatRate(kafkaRate)} events/s`,
    ratio: `of Java ${java.medians.toFixed(2)} (medians), ${java.pairs.toFixed(2)} (neighbours); of SQL ${sql.medians.toFixed(2)}, ${sql.pairs.toFixed(2)}`,
    target: `>= ${TARGET} of Java and of SQL (medians and neighbours)`,
    met: java.met && sql.met && allMatch && samplesAgree,
  });
}
if (!allMatch || !samplesAgree) process.exitCode = 1;
