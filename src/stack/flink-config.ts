/**
 * The Flink session cluster's configuration: one config.yaml (Flink 2.x reads no other file)
 * shared by the JobManager, the TaskManager and the SQL Gateway, the log4j2 configuration, and
 * the JVM flags that flink-dist's scripts would have computed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunLayout } from './run-folder.ts';
import type { StackPorts } from './stack-config.ts';

/**
 * TaskManager memory, spelled out. A TaskManager started without flink-dist's scripts refuses
 * to start unless task heap, task off-heap, network (min = max) and managed memory are set
 * explicitly, and its JVM flags must agree with them (below). About 1.4 GB in all, so the
 * whole stack fits a 2-core CI machine beside the tests.
 */
export const TASK_MANAGER_MEMORY_MB = Object.freeze({
  frameworkHeap: 128,
  taskHeap: 384,
  frameworkOffHeap: 128,
  taskOffHeap: 64,
  network: 96,
  // Used by RocksDB and batch operators only; the hashmap backend of streaming jobs needs none.
  managed: 128,
  metaspace: 256,
  overhead: 192,
});

export const JOB_MANAGER_MEMORY_MB = Object.freeze({ heap: 512, offHeap: 128, metaspace: 256 });

/** The gateway plans SQL (Calcite, code generation): heap and many classes, no state. */
export const SQL_GATEWAY_JVM_OPTIONS: readonly string[] = Object.freeze([
  '-Xms256m',
  '-Xmx768m',
  '-XX:MaxMetaspaceSize=512m',
]);

/** How often running jobs checkpoint: what a TaskManager restart loses at most. */
export const CHECKPOINT_INTERVAL = '10 s';

export function taskManagerJvmOptions(): readonly string[] {
  const m = TASK_MANAGER_MEMORY_MB;
  const heap = m.frameworkHeap + m.taskHeap;
  return [
    `-Xms${heap}m`,
    `-Xmx${heap}m`,
    `-XX:MaxDirectMemorySize=${m.frameworkOffHeap + m.taskOffHeap + m.network}m`,
    `-XX:MaxMetaspaceSize=${m.metaspace}m`,
  ];
}

export function jobManagerJvmOptions(): readonly string[] {
  const m = JOB_MANAGER_MEMORY_MB;
  return [
    `-Xms${m.heap}m`,
    `-Xmx${m.heap}m`,
    `-XX:MaxDirectMemorySize=${m.offHeap}m`,
    `-XX:MaxMetaspaceSize=${m.metaspace}m`,
  ];
}

export interface FlinkConfigOptions {
  ports: StackPorts;
  taskSlots: number;
  layout: RunLayout;
}

/** config.yaml as flat `key: value` lines, which Flink 2.x reads like the nested form. */
export function renderFlinkConfig({ ports, taskSlots, layout }: FlinkConfigOptions): string {
  const m = TASK_MANAGER_MEMORY_MB;
  const jm = JOB_MANAGER_MEMORY_MB;
  const entries: [string, string | number, string?][] = [
    // Everything on loopback: this is a single-machine stack, reachable from nowhere else.
    ['jobmanager.bind-host', '127.0.0.1'],
    ['jobmanager.rpc.address', '127.0.0.1'],
    ['jobmanager.rpc.port', ports.flinkRpc],
    ['taskmanager.bind-host', '127.0.0.1'],
    ['taskmanager.host', '127.0.0.1'],
    ['rest.address', '127.0.0.1'],
    ['rest.bind-address', '127.0.0.1'],
    ['rest.port', ports.flinkRest],
    ['jobmanager.memory.heap.size', `${jm.heap}m`],
    ['jobmanager.memory.off-heap.size', `${jm.offHeap}m`],
    ['jobmanager.memory.jvm-metaspace.size', `${jm.metaspace}m`],
    ['taskmanager.numberOfTaskSlots', taskSlots],
    ['taskmanager.cpu.cores', 2, 'what the TaskManager may use (the CI machine has 2 cores)'],
    ['taskmanager.memory.framework.heap.size', `${m.frameworkHeap}m`],
    ['taskmanager.memory.task.heap.size', `${m.taskHeap}m`],
    ['taskmanager.memory.framework.off-heap.size', `${m.frameworkOffHeap}m`],
    ['taskmanager.memory.task.off-heap.size', `${m.taskOffHeap}m`],
    ['taskmanager.memory.network.min', `${m.network}m`],
    ['taskmanager.memory.network.max', `${m.network}m`],
    ['taskmanager.memory.managed.size', `${m.managed}m`],
    ['taskmanager.memory.jvm-metaspace.size', `${m.metaspace}m`],
    ['taskmanager.memory.jvm-overhead.min', `${m.overhead}m`],
    ['taskmanager.memory.jvm-overhead.max', `${m.overhead}m`],
    ['parallelism.default', 1, 'one slot per job: several jobs fit side by side'],
    ['io.tmp.dirs', layout.flinkTmpDir],
    ['web.tmpdir', layout.flinkTmpDir],
    // Checkpoints on the local filesystem under the run folder: a job restarted after a
    // TaskManager loss resumes from the last one instead of from scratch.
    ['state.backend.type', 'hashmap'],
    ['execution.checkpointing.interval', CHECKPOINT_INTERVAL],
    ['execution.checkpointing.dir', `file://${layout.flinkCheckpointsDir}`],
    ['execution.checkpointing.savepoint-dir', `file://${layout.flinkSavepointsDir}`],
    // Restart forever with backoff: a job survives a TaskManager restart (the JobManager
    // notices the loss within the heartbeat timeout and waits for slots again).
    ['restart-strategy.type', 'exponential-delay'],
    ['restart-strategy.exponential-delay.initial-backoff', '1 s'],
    ['restart-strategy.exponential-delay.max-backoff', '10 s'],
    ['jobmanager.execution.failover-strategy', 'region'],
    // A TaskManager killed -9 is declared lost once heartbeats to it have failed twice in a row
    // (heartbeat.rpc-failure-threshold), so the interval bounds the failover's start; the
    // timeout covers a JVM alive but silent (a long GC pause on a loaded machine).
    ['heartbeat.interval', '2 s'],
    ['heartbeat.timeout', '20 s'],
    [
      'metrics.fetcher.update-interval',
      1000,
      'the web UI and REST (watermarks, records) at most 1 s old, not 10 s: a dev stack is watched live',
    ],
    // Window bounds (TIMESTAMP(3)) are rendered in the session time zone: UTC keeps
    // UNIX_TIMESTAMP(CAST(window_end AS STRING)) equal to the epoch on every machine.
    ['table.local-time-zone', 'UTC'],
    ['sql-gateway.endpoint.rest.address', '127.0.0.1'],
    ['sql-gateway.endpoint.rest.bind-address', '127.0.0.1'],
    ['sql-gateway.endpoint.rest.port', ports.sqlGateway],
  ];
  const lines = ['# Written by `featureflow up`; edits are overwritten at the next start.'];
  for (const [key, value, why] of entries) {
    if (why) lines.push(`# ${why}`);
    lines.push(`${key}: ${typeof value === 'number' ? value : JSON.stringify(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One file appender per JVM; each JVM names its file with -Dlog.file (as flink-dist does). */
export function renderFlinkLog4j(): string {
  return [
    'monitorInterval = 0',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = MainAppender',
    '# The connector logs every consumer config at INFO; warnings are what matters here.',
    'logger.kafka.name = org.apache.kafka',
    'logger.kafka.level = WARN',
    'appender.main.name = MainAppender',
    'appender.main.type = File',
    'appender.main.append = true',
    // A log4j lookup, resolved in each JVM (not a JavaScript template).
    'appender.main.fileName = ${sys:log.file}',
    'appender.main.layout.type = PatternLayout',
    'appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n',
    '',
  ].join('\n');
}

export interface FlinkFiles {
  readonly confDir: string;
  readonly configYaml: string;
  readonly log4jConfig: string;
}

export function writeFlinkFiles(options: FlinkConfigOptions): FlinkFiles {
  const confDir = options.layout.flinkConfDir;
  const configYaml = path.join(confDir, 'config.yaml');
  const log4jConfig = path.join(confDir, 'log4j.properties');
  writeFileSync(configYaml, renderFlinkConfig(options));
  writeFileSync(log4jConfig, renderFlinkLog4j());
  return Object.freeze({ confDir, configYaml, log4jConfig });
}
