/**
 * The bridge alone: windows per second through the Java client of udf-server/flink-bridge (the
 * code a Flink subtask runs: Row[] -> columnar batch -> gRPC -> `featureflow udf-server` ->
 * rows) against the same TypeScript function called in-process on the same windows, in the same
 * run. Overhead per window = 1 / bridge rate - 1 / in-process rate. Target: at most 2 us.
 *
 *   npx tsx bench/udf-bridge.ts [--windows 200000] [--events 5] [--runs 3] [--batch 512]
 *                               [--in-flight 1024] [--no-record]
 *
 * Needs Java 17 and Maven (the bridge's test classes and classpath are built first, offline when
 * the dependencies are already resolved).
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { builtInJobRegistry } from '../src/core/jobs/load-definitions.ts';
import type { TransactionEvent } from '../src/jobs/transactions.ts';

const TRANSACTIONS = builtInJobRegistry().get('transactions');
const transactionFor = TRANSACTIONS.sample!() as (
  ...args: Parameters<ReturnType<NonNullable<typeof TRANSACTIONS.sample>>>
) => TransactionEvent;

import { SeededRandom } from '../src/generate/seeded-random.ts';
import { featureFunctions } from '../src/udf/feature-functions.ts';
import { startUdfServerProcess } from '../test/support/udf-server-process.ts';
import { formatRate, machineLine, median } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const run = promisify(execFile);
const { values: flags } = parseArgs({
  options: {
    windows: { type: 'string', default: '200000' },
    events: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '512' },
    'in-flight': { type: 'string', default: '1024' },
    'no-record': { type: 'boolean', default: false },
  },
});
const WINDOWS = Number(flags.windows);
const EVENTS = Number(flags.events);
const RUNS = Number(flags.runs);
// A TaskManager runs for hours: the measured pass is the JVM's steady state. gRPC's and Netty's
// per-call paths run once per batch (about 100 times a pass), so C2 compiles them late: in the
// 6th pass it still used 0.5 to 1.5 us of CPU per window, and the client's own threads settled
// only after about 12 passes (2.4 million windows, minutes of a real job): 2.3 to 2.9 us CPU per
// window in passes 7 to 11, 1.6 from the 13th on.
const WARMUP_PASSES = 20;
const BRIDGE = fileURLToPath(new URL('../udf-server/flink-bridge/', import.meta.url));
const dataDir = fileURLToPath(new URL('./data/', import.meta.url));

// 1. The Java side: test classes (the benchmark main) and the full classpath.
async function javaClasspath(): Promise<string> {
  const classpathFile = join(BRIDGE, 'target', 'bench-classpath.txt');
  const args = [
    '-B',
    '-q',
    '-f',
    join(BRIDGE, 'pom.xml'),
    'test-compile',
    'dependency:build-classpath',
    '-Dmdep.includeScope=test',
    `-Dmdep.outputFile=${classpathFile}`,
  ];
  await run('mvn', ['-o', ...args], { maxBuffer: 1 << 24 }).catch(() =>
    run('mvn', args, { maxBuffer: 1 << 24 }),
  );
  const { readFile } = await import('node:fs/promises');
  const dependencies = (await readFile(classpathFile, 'utf8')).trim();
  return [
    join(BRIDGE, 'target', 'test-classes'),
    join(BRIDGE, 'target', 'classes'),
    dependencies,
  ].join(':');
}

// 2. The windows: WINDOWS card windows of EVENTS transactions, as objects and as a file for Java.
const random = new SeededRandom(42);
const windows: {
  entityId: string;
  windowStart: number;
  windowEnd: number;
  events: TransactionEvent[];
}[] = [];
for (let w = 0; w < WINDOWS; w++) {
  const windowStart = Date.parse('2024-01-01T00:00:00Z') + (w % 1440) * 60_000;
  const events = Array.from({ length: EVENTS }, (_, e) =>
    transactionFor(random, w % 5000, w * EVENTS + e, windowStart + random.int(300_000)),
  );
  windows.push({
    entityId: `card-${w % 5000}`,
    windowStart,
    windowEnd: windowStart + 300_000,
    events,
  });
}
await mkdir(dataDir, { recursive: true });
const windowsFile = join(dataDir, 'udf-bridge-windows.tsv');
await writeFile(
  windowsFile,
  windows
    .map(
      (w) =>
        `${w.entityId}\t${w.windowStart}\t${w.windowEnd}\t${w.events.map((e) => `${e.amount},${e.merchant_id},${e.country},${e.timestamp}`).join(';')}`,
    )
    .join('\n'),
);

// What the Java side must get back: the rows' numeric fields summed as 64-bit patterns (doubles
// by their bits, integers by value, wrapping), as BridgeBenchmark sums the rows it receives.
const resultKinds = featureFunctions()
  .find((f) => f.descriptor.name === 'transaction_features')!
  .resultFields.map((f) => [f.name, f.column] as const);
function expectedChecksum(): string {
  const bits = new DataView(new ArrayBuffer(8));
  let sum = 0n;
  for (const window of windows) {
    const row = TRANSACTIONS.computeFeatures(window.events, window) as unknown as Record<
      string,
      unknown
    >;
    for (const [name, kind] of resultKinds) {
      const value = row[name];
      if (kind === 'double') {
        bits.setFloat64(0, value as number, true);
        sum += bits.getBigUint64(0, true);
      } else if (kind !== 'string') {
        sum += BigInt(value as number);
      }
    }
  }
  return BigInt.asUintN(64, sum).toString();
}
const checksum = expectedChecksum();

// 3. In-process: the same function on the same windows, no bridge.
function inProcessPass(): number {
  const started = performance.now();
  for (const window of windows) {
    TRANSACTIONS.computeFeatures(window.events, window);
  }
  return performance.now() - started;
}

const classpath = await javaClasspath();
const server = await startUdfServerProcess();
/** The server's CPU seconds so far, from its /metrics. */
async function serverCpuSeconds(): Promise<number> {
  const text = await (await fetch(server.metricsUrl!)).text();
  return Number(/^featureflow_process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}
const inProcessMs: number[] = [];
const bridgeMs: number[] = [];
const clientCpuUs: number[] = [];
const serverCpuUs: number[] = [];
let batches = 0;
try {
  inProcessPass(); // warm-up
  for (let r = 0; r < RUNS; r++) {
    inProcessMs.push(inProcessPass());
    const cpuBefore = await serverCpuSeconds();
    // One Java process per run: JIT warm-up passes (C2 needs several on a busy 2-core machine),
    // then the measured one.
    const { stdout } = await run(
      'java',
      [
        '-cp',
        classpath,
        'dev.featureflow.flink.BridgeBenchmark',
        server.address,
        windowsFile,
        String(WARMUP_PASSES + 1),
        flags.batch,
        flags['in-flight'],
      ],
      { maxBuffer: 1 << 24 },
    );
    const passes = stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as {
            windows: number;
            ms: number;
            cpuMs: number;
            batches: number;
            checksum: string;
          },
      );
    const wrong = passes.find((pass) => pass.checksum !== checksum);
    if (wrong !== undefined) {
      throw new Error(
        `the bridge's rows differ from the in-process rows: checksum ${wrong.checksum}, expected ${checksum}`,
      );
    }
    const measured = passes[passes.length - 1]!;
    bridgeMs.push(measured.ms);
    clientCpuUs.push((measured.cpuMs * 1000) / WINDOWS);
    // Over all passes of the run: the server is warm after the first run anyway.
    serverCpuUs.push((((await serverCpuSeconds()) - cpuBefore) * 1e6) / (WINDOWS * passes.length));
    batches = measured.batches;
    inProcessMs.push(inProcessPass());
  }
} finally {
  await server.stop();
}

const inProcessRate = WINDOWS / (median(inProcessMs) / 1000);
const bridgeRate = WINDOWS / (median(bridgeMs) / 1000);
const overheadUs = (1 / bridgeRate - 1 / inProcessRate) * 1e6;
const line =
  `| ${formatRate(WINDOWS)} | ${EVENTS} | ${flags.batch} | ${flags['in-flight']} | ${formatRate(inProcessRate)} | ` +
  `${formatRate(bridgeRate)} | ${(bridgeRate / inProcessRate).toFixed(3)} | ${overheadUs.toFixed(2)} | ` +
  `${median(clientCpuUs).toFixed(2)} | ${median(serverCpuUs).toFixed(2)} | ${overheadUs <= 2 ? 'met' : 'NOT met'} |`;
console.log(line);
console.log(
  `(in-process ms ${inProcessMs.map(Math.round).join(', ')}; bridge ms ${bridgeMs.map(Math.round).join(', ')}; ${batches} Invoke calls per pass)`,
);

console.log(`
## UDF bridge: Java client -> TypeScript service vs in-process (${new Date().toISOString().slice(0, 10)})
Command: \`npx tsx bench/udf-bridge.ts --windows ${WINDOWS} --events ${EVENTS} --runs ${RUNS} --batch ${flags.batch} --in-flight ${flags['in-flight']}\`
Machine: ${machineLine()}, ${(await run('java', ['-version']).catch((e: { stderr?: string }) => e)).stderr?.split('\n')[0] ?? 'java'}; client, server and in-process pass share the machine (1-minute load average at the end: ${loadavg()[0]!.toFixed(2)}).
Medians of ${RUNS} runs. CPU columns: the Java client's process CPU in the measured pass, and the UDF server's process CPU (from its /metrics) over each run, per window: on a shared machine they say more than wall time. Bridge: the flink-bridge client (columnar batches of up to ${flags.batch} windows, ${flags['in-flight']} calls in flight like Flink's async operator, the module's other defaults, ${WARMUP_PASSES} warm-up passes per JVM; every row checked against the in-process rows by checksum) into \`featureflow udf-server\` over loopback gRPC; in-process: the transactions job's computeFeatures on the same windows, measured before and after each bridge run. Overhead = 1/bridge - 1/in-process; target at most 2 us per window.

| windows | events/window | batch | in flight | in-process windows/s | bridge windows/s | ratio | overhead us/window | client CPU us/window | server CPU us/window | target 2 us |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${line}
`);

if (!flags['no-record']) {
  await recordResult('udf-bridge', {
    figure: `${formatRate(bridgeRate)} windows/s through the bridge (overhead ${overheadUs.toFixed(2)} us/window)`,
    baseline: `in-process: ${formatRate(inProcessRate)} windows/s`,
    ratio: (bridgeRate / inProcessRate).toFixed(3),
    target: 'overhead <= 2 us/window',
    met: overheadUs <= 2,
  });
}
