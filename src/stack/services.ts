/**
 * The services of the local stack, in start order, each with how to launch it and how to tell
 * it is ready: Redis -> Kafka -> Flink JobManager -> TaskManager -> SQL Gateway. Each JVM
 * runs the main class that the distribution's bin/ scripts would have run, on the jars
 * artifacts.ts resolved.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { FeatureflowError } from '../core/errors.ts';
import type { StackArtifacts } from './artifacts.ts';
import {
  type FlinkFiles,
  jobManagerJvmOptions,
  SQL_GATEWAY_JVM_OPTIONS,
  taskManagerJvmOptions,
} from './flink-config.ts';
import { FLINK_JAVA17_OPTIONS } from './java.ts';
import { KAFKA_JVM_OPTIONS, type KafkaFiles } from './kafka-config.ts';
import { assertScramStored, markScramStored, saslFormatArguments } from './kafka-sasl-listener.ts';
import { tailOfFile } from './log-tail.ts';
import {
  flinkJobManagerProbe,
  flinkTaskManagerProbe,
  kafkaProbe,
  type Probe,
  redisProbe,
  sqlGatewayProbe,
} from './probes.ts';
import type { LaunchSpec } from './processes.ts';
import { redisClusterPlans } from './redis-cluster-services.ts';
import type { RedisFiles } from './redis-config.ts';
import type { RunLayout } from './run-folder.ts';
import type { PortName, StackConfig } from './stack-config.ts';
import type { ServiceName } from './stack-state.ts';

export interface ServicePlan {
  readonly name: ServiceName;
  readonly title: string;
  /** The port users connect to; `ports` lists every port it binds, for the free-port check. */
  readonly port: number;
  readonly ports: readonly PortName[];
  readonly endpoint: string;
  /** The service's own log first, then its captured stdout/stderr. */
  readonly logFiles: readonly string[];
  readonly launch: LaunchSpec;
  readonly probe: Probe;
  /** One-off work before the launch (Kafka formats its storage). */
  readonly prepare?: () => Promise<void>;
  /** A TaskManager's resource id: fresh for every launch, so a probe cannot mistake the JVM. */
  readonly resourceId?: string;
  /** One-off work once it is ready (the last Redis Cluster node forms the cluster); returns
   * the line to report. */
  readonly afterReady?: () => Promise<string>;
}

export interface PlanInputs {
  config: StackConfig;
  layout: RunLayout;
  artifacts: StackArtifacts;
  java: string;
  kafka: KafkaFiles;
  flink: FlinkFiles;
  /** Absent when an external Redis or a Redis Cluster is used. */
  redis: RedisFiles | undefined;
}

export function planServices(inputs: PlanInputs): readonly ServicePlan[] {
  const plans: ServicePlan[] = [];
  if (inputs.redis) plans.push(redisPlan(inputs, inputs.redis));
  const clusterPorts = inputs.config.redisClusterPorts;
  if (clusterPorts) {
    plans.push(...redisClusterPlans(clusterPorts, inputs.layout, inputs.config.readyTimeoutMs));
  }
  plans.push(kafkaPlan(inputs), jobManagerPlan(inputs));
  for (let k = 1; k <= inputs.config.taskManagers; k++) plans.push(taskManagerPlan(inputs, k));
  plans.push(sqlGatewayPlan(inputs));
  return plans;
}

/** `flink-taskmanager` for the first (as with one), `flink-taskmanager-k` for the k-th. */
export function taskManagerName(k: number): ServiceName {
  return k === 1 ? 'flink-taskmanager' : `flink-taskmanager-${k}`;
}

function outputFile(layout: RunLayout, name: ServiceName): string {
  return path.join(layout.logsDir, `${name}.out`);
}

function redisPlan({ config, layout }: PlanInputs, files: RedisFiles): ServicePlan {
  const port = config.ports.redis;
  const url = `redis://127.0.0.1:${port}`;
  return {
    name: 'redis',
    title: 'Redis',
    port,
    ports: ['redis'],
    endpoint: url,
    logFiles: [files.logFile, outputFile(layout, 'redis')],
    launch: {
      command: 'redis-server',
      args: [files.config],
      cwd: layout.redisDir,
      outputFile: outputFile(layout, 'redis'),
    },
    probe: redisProbe(url),
  };
}

function kafkaPlan({ config, layout, artifacts, java, kafka }: PlanInputs): ServicePlan {
  const port = config.ports.kafka;
  const jvm = [`-Dlog4j2.configurationFile=${kafka.log4jConfig}`, '-cp', artifacts.kafkaClasspath];
  return {
    name: 'kafka',
    title: 'Kafka',
    port,
    ports: ['kafka', 'kafkaController'],
    endpoint: `127.0.0.1:${port}`,
    logFiles: [kafka.logFile, outputFile(layout, 'kafka')],
    launch: {
      command: java,
      args: [...KAFKA_JVM_OPTIONS, ...jvm, 'kafka.Kafka', kafka.serverProperties],
      cwd: layout.kafkaDir,
      outputFile: outputFile(layout, 'kafka'),
    },
    probe: kafkaProbe([`127.0.0.1:${port}`]),
    prepare: async () => {
      if (existsSync(kafka.metaProperties)) {
        if (kafka.saslListener) assertScramStored(kafka.saslListener, layout.kafkaDataDir);
        return;
      }
      // Storage is formatted once per run folder, in its own JVM (the tool calls exit).
      const log = path.join(layout.logsDir, 'kafka-format.out');
      const code = await runToCompletion(
        java,
        [
          '-Xmx256m',
          ...jvm,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          kafka.clusterId,
          '-c',
          kafka.serverProperties,
          '--ignore-formatted',
          ...(kafka.saslListener ? saslFormatArguments(kafka.saslListener) : []),
        ],
        layout.kafkaDir,
        log,
      );
      if (code !== 0) {
        throw new FeatureflowError(
          'failed_precondition',
          `formatting Kafka's storage in ${layout.kafkaDataDir} failed (exit ${code}); see ${log}:\n${tailOfFile(log, 12)}`,
          { context: { logFile: log } },
        );
      }
      if (kafka.saslListener) markScramStored(kafka.saslListener);
    },
  };
}

/** What every Flink JVM shares: module flags, its log file, the config folder. */
function flinkJvm({ artifacts, flink }: PlanInputs, logFile: string): string[] {
  return [
    ...FLINK_JAVA17_OPTIONS,
    `-Dlog.file=${logFile}`,
    `-Dlog4j.configurationFile=file:${flink.log4jConfig}`,
    '-cp',
    artifacts.flinkClasspath,
  ];
}

function flinkEnv({ flink, layout }: PlanInputs): Record<string, string> {
  return { FLINK_CONF_DIR: flink.confDir, FLINK_PLUGINS_DIR: layout.flinkPluginsDir };
}

function jobManagerPlan(inputs: PlanInputs): ServicePlan {
  const { config, layout, java, flink } = inputs;
  const port = config.ports.flinkRest;
  const logFile = path.join(layout.logsDir, 'flink-jobmanager.log');
  return {
    name: 'flink-jobmanager',
    title: 'Flink JobManager',
    port,
    ports: ['flinkRest', 'flinkRpc'],
    endpoint: `http://127.0.0.1:${port}`,
    logFiles: [logFile, outputFile(layout, 'flink-jobmanager')],
    launch: {
      command: java,
      args: [
        ...jobManagerJvmOptions(),
        ...flinkJvm(inputs, logFile),
        'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
        '--configDir',
        flink.confDir,
        '--executionMode',
        'cluster',
      ],
      env: flinkEnv(inputs),
      cwd: layout.root,
      outputFile: outputFile(layout, 'flink-jobmanager'),
    },
    probe: flinkJobManagerProbe(port),
  };
}

/**
 * The k-th TaskManager: its own log, temporary folder and resource id; its RPC and data ports
 * are picked by the OS, so several run side by side on one machine. They share config.yaml.
 */
function taskManagerPlan(inputs: PlanInputs, k: number): ServicePlan {
  const { config, layout, java, flink } = inputs;
  const name = taskManagerName(k);
  const logFile = path.join(layout.logsDir, `${name}.log`);
  const tmpDir = path.join(layout.flinkTmpDir, name);
  const resourceId = `${name}-${randomBytes(3).toString('hex')}`;
  const dynamic = { 'taskmanager.resource-id': resourceId, 'io.tmp.dirs': tmpDir };
  return {
    name,
    title: k === 1 ? 'Flink TaskManager' : `Flink TaskManager ${k}`,
    // It listens on ports the OS picks; users reach it only through the JobManager.
    port: config.ports.flinkRest,
    ports: [],
    endpoint: `${config.taskSlots} slots, via http://127.0.0.1:${config.ports.flinkRest}`,
    logFiles: [logFile, outputFile(layout, name)],
    launch: {
      command: java,
      args: [
        ...taskManagerJvmOptions(),
        ...flinkJvm(inputs, logFile),
        'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
        '--configDir',
        flink.confDir,
        ...Object.entries(dynamic).flatMap(([key, value]) => ['-D', `${key}=${value}`]),
      ],
      env: flinkEnv(inputs),
      cwd: layout.root,
      outputFile: outputFile(layout, name),
    },
    probe: flinkTaskManagerProbe(config.ports.flinkRest, resourceId),
    prepare: async () => {
      mkdirSync(tmpDir, { recursive: true });
    },
    resourceId,
  };
}

function sqlGatewayPlan(inputs: PlanInputs): ServicePlan {
  const { config, layout, java } = inputs;
  const port = config.ports.sqlGateway;
  const logFile = path.join(layout.logsDir, 'sql-gateway.log');
  return {
    name: 'sql-gateway',
    title: 'Flink SQL Gateway',
    port,
    ports: ['sqlGateway'],
    endpoint: `http://127.0.0.1:${port}`,
    logFiles: [logFile, outputFile(layout, 'sql-gateway')],
    launch: {
      command: java,
      args: [
        ...SQL_GATEWAY_JVM_OPTIONS,
        ...flinkJvm(inputs, logFile),
        'org.apache.flink.table.gateway.SqlGateway',
        // Submit to the session cluster above (its address comes from the shared config.yaml).
        '-Dexecution.target=remote',
      ],
      env: flinkEnv(inputs),
      cwd: layout.root,
      outputFile: outputFile(layout, 'sql-gateway'),
    },
    probe: sqlGatewayProbe(port),
  };
}

function runToCompletion(
  command: string,
  args: string[],
  cwd: string,
  logFile: string,
): Promise<number> {
  const fd = openSync(logFile, 'w');
  try {
    const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd] });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
}
