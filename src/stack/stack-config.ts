/**
 * Configuration of the local stack (`featureflow up | down | status`): the one resolver that
 * fills every default from flags, then the environment, then LOCAL_STACK_DEFAULTS, validates,
 * and freezes.
 *
 * The service endpoints every other command reads (REDIS_URL, KAFKA_BROKERS, FLINK_SQL_GATEWAY)
 * also choose the ports `up` listens on, so that one environment serves both: with
 * KAFKA_BROKERS=127.0.0.1:19092, `up` starts Kafka on 19092 and `produce` finds it there.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LOCAL_STACK_DEFAULTS, resolveServiceEndpoints } from '../config/environment.ts';
import { FeatureflowError } from '../core/errors.ts';
import { redactSecrets } from '../core/redaction.ts';
import { parseRedisUrl } from '../core/sinks/redis-url.ts';
import { parseDurationMs } from '../core/utils/durations.ts';
import {
  CLUSTER_BUS_OFFSET,
  REDIS_CLUSTER_FIRST_PORT,
  redisClusterPorts,
} from './redis-cluster.ts';

export const PORT_NAMES = [
  'redis',
  'kafka',
  'kafkaController',
  'flinkRest',
  'flinkRpc',
  'sqlGateway',
] as const;
export type PortName = (typeof PORT_NAMES)[number];
export type StackPorts = Readonly<Record<PortName, number>>;

/** How a user changes each port: named in every error about it. */
export const PORT_SPECS: Readonly<
  Record<PortName, { label: string; flag: string; env: string; fallback: number }>
> = Object.freeze({
  redis: {
    label: 'Redis',
    flag: '--redis-port',
    env: 'FEATUREFLOW_REDIS_PORT',
    fallback: portOfUrl(LOCAL_STACK_DEFAULTS.redisUrl),
  },
  kafka: {
    label: 'Kafka',
    flag: '--kafka-port',
    env: 'FEATUREFLOW_KAFKA_PORT',
    fallback: portOfHostPort(LOCAL_STACK_DEFAULTS.kafkaBrokers[0]!),
  },
  kafkaController: {
    label: 'Kafka controller',
    flag: '--kafka-controller-port',
    env: 'FEATUREFLOW_KAFKA_CONTROLLER_PORT',
    fallback: 9093,
  },
  flinkRest: {
    label: 'Flink REST/web UI',
    flag: '--flink-port',
    env: 'FEATUREFLOW_FLINK_PORT',
    fallback: 8081,
  },
  flinkRpc: {
    label: 'Flink JobManager RPC',
    flag: '--flink-rpc-port',
    env: 'FEATUREFLOW_FLINK_RPC_PORT',
    fallback: 6123,
  },
  sqlGateway: {
    label: 'Flink SQL Gateway',
    flag: '--sql-gateway-port',
    env: 'FEATUREFLOW_SQL_GATEWAY_PORT',
    fallback: portOfUrl(LOCAL_STACK_DEFAULTS.flinkSqlGateway),
  },
});

export const STACK_DEFAULTS = Object.freeze({
  runDir: '.featureflow/run',
  /** One TaskManager JVM; more spread a job's parallel subtasks over several (docs/scaling.md). */
  taskManagers: 1,
  /** Per TaskManager. Flink jobs run with parallelism 1, so 4 slots run 4 jobs side by side. */
  taskSlots: 4,
  /** Of each topic `up` creates: the most source subtasks a job can keep busy. */
  partitions: 3,
  readyTimeout: '180s',
  stopTimeout: '30s',
});

export interface StackConfig {
  /** Absolute: pids, logs, configs and data of one stack. */
  readonly runDir: string;
  /** Absolute: the artifact cache (FEATUREFLOW_HOME), shared by every run folder. */
  readonly homeDir: string;
  readonly ports: StackPorts;
  /** A Redis to use instead of starting one: set when REDIS_URL or --redis is given. */
  readonly externalRedisUrl: string | undefined;
  /** TaskManager JVMs, each with `taskSlots` slots. */
  readonly taskManagers: number;
  /** The ports of the Redis Cluster's masters that `up --redis-cluster` starts instead of one
   * Redis (redis-cluster.ts); undefined without the flag. */
  readonly redisClusterPorts: readonly number[] | undefined;
  readonly taskSlots: number;
  /** The local Kafka's SASL_SSL listener (kafka-sasl-listener.ts); undefined: none. */
  readonly kafkaSaslPort: number | undefined;
  /** Partitions of each topic `up` creates (and of topics Kafka creates on first use). */
  readonly partitions: number;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}

export interface StackFlags {
  runDir?: string | undefined;
  home?: string | undefined;
  redis?: string | undefined;
  redisPort?: string | undefined;
  redisCluster?: boolean | undefined;
  redisClusterPort?: string | undefined;
  kafkaPort?: string | undefined;
  kafkaControllerPort?: string | undefined;
  flinkPort?: string | undefined;
  flinkRpcPort?: string | undefined;
  sqlGatewayPort?: string | undefined;
  taskmanagers?: string | undefined;
  taskSlots?: string | undefined;
  kafkaSaslPort?: string | undefined;
  partitions?: string | undefined;
  timeout?: string | undefined;
  stopTimeout?: string | undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const configSchema = z.object({
  runDir: z.string().min(1),
  homeDir: z.string().min(1),
  ports: z.object(
    Object.fromEntries(
      PORT_NAMES.map((name) => [name, z.number().int().min(1).max(65_535)]),
    ) as Record<PortName, z.ZodNumber>,
  ),
  externalRedisUrl: z.string().optional(),
  taskManagers: z.number().int().min(1).max(16),
  // Each node's cluster bus listens on its port + 10000, which must be a port too.
  redisClusterPorts: z
    .array(
      z
        .number()
        .int()
        .min(1)
        .max(65_535 - CLUSTER_BUS_OFFSET),
    )
    .optional(),
  taskSlots: z.number().int().min(1).max(64),
  kafkaSaslPort: z.number().int().min(1).max(65_535).optional(),
  partitions: z.number().int().min(1).max(256),
  readyTimeoutMs: z.number().int().positive(),
  stopTimeoutMs: z.number().int().positive(),
});

/** Where the run folder is: --run-dir, FEATUREFLOW_RUN_DIR, or .featureflow/run under cwd. */
export function resolveRunDir(
  flags: Pick<StackFlags, 'runDir'> = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  return path.resolve(cwd, flags.runDir ?? env.FEATUREFLOW_RUN_DIR ?? STACK_DEFAULTS.runDir);
}

/** The artifact cache: --home, FEATUREFLOW_HOME, or ~/.cache/featureflow. */
export function resolveHomeDir(
  flags: Pick<StackFlags, 'home'> = {},
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromFlagOrEnv = flags.home ?? env.FEATUREFLOW_HOME;
  return path.resolve(fromFlagOrEnv ?? path.join(homedir(), '.cache', 'featureflow'));
}

export function resolveStackConfig(
  flags: StackFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StackConfig {
  const endpoints = resolveServiceEndpoints({ redis: flags.redis }, env);
  const explicitRedis = flags.redis ?? env.REDIS_URL;

  const ports = {} as Record<PortName, number>;
  for (const name of PORT_NAMES) {
    ports[name] = resolvePort(name, flagOf(flags, name), env, endpointPort(name, endpoints));
  }
  if (explicitRedis !== undefined) ports.redis = redisPortOf(endpoints.redisUrl);

  const candidate = {
    runDir: resolveRunDir(flags, env, cwd),
    homeDir: resolveHomeDir(flags, env),
    ports,
    externalRedisUrl: explicitRedis === undefined ? undefined : endpoints.redisUrl,
    taskManagers: parseInteger(
      flags.taskmanagers ?? env.FEATUREFLOW_TASKMANAGERS ?? String(STACK_DEFAULTS.taskManagers),
      '--taskmanagers / FEATUREFLOW_TASKMANAGERS',
    ),
    redisClusterPorts: resolveRedisClusterPorts(flags, env, explicitRedis),
    taskSlots: parseInteger(
      flags.taskSlots ?? env.FEATUREFLOW_TASK_SLOTS ?? String(STACK_DEFAULTS.taskSlots),
      '--task-slots / FEATUREFLOW_TASK_SLOTS',
    ),
    kafkaSaslPort: optionalPort(
      flags.kafkaSaslPort ?? env.FEATUREFLOW_KAFKA_SASL_PORT,
      '--kafka-sasl-port / FEATUREFLOW_KAFKA_SASL_PORT',
    ),
    partitions: parseInteger(
      flags.partitions ?? env.FEATUREFLOW_PARTITIONS ?? String(STACK_DEFAULTS.partitions),
      '--partitions / FEATUREFLOW_PARTITIONS',
    ),
    readyTimeoutMs: parseDurationMs(
      flags.timeout ?? STACK_DEFAULTS.readyTimeout,
      '--timeout (how long each service may take to become ready)',
    ),
    stopTimeoutMs: parseDurationMs(
      flags.stopTimeout ?? STACK_DEFAULTS.stopTimeout,
      '--stop-timeout (how long a service may take to exit before it is killed)',
    ),
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    const portName = issue.path[1] as PortName | undefined;
    const fix =
      issue.path[0] === 'ports' && portName && PORT_SPECS[portName]
        ? `set ${PORT_SPECS[portName].flag} or ${PORT_SPECS[portName].env} to a port in 1..65535`
        : issue.path[0] === 'redisClusterPorts'
          ? `set --redis-cluster-port or FEATUREFLOW_REDIS_CLUSTER_PORT to a port in 1..${65_535 - CLUSTER_BUS_OFFSET - 2}: each node's cluster bus takes its port + ${CLUSTER_BUS_OFFSET}`
          : (COUNT_FIXES[where] ?? issue.message);
    throw new FeatureflowError('invalid_argument', `stack setting ${where} is unusable (${fix})`, {
      context: { field: where },
    });
  }
  // The single Redis's port is not used by an external Redis or a cluster.
  assertDistinctPorts(
    parsed.data.ports,
    parsed.data.externalRedisUrl !== undefined || parsed.data.redisClusterPorts !== undefined,
  );
  const saslClash = PORT_NAMES.find(
    (name) => parsed.data.ports[name] === parsed.data.kafkaSaslPort,
  );
  if (saslClash !== undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `Kafka's SASL_SSL listener and ${PORT_SPECS[saslClash].label} are both set to port ${parsed.data.kafkaSaslPort} (give the listener another port with --kafka-sasl-port)`,
      { context: { port: parsed.data.kafkaSaslPort } },
    );
  }
  return Object.freeze({
    ...parsed.data,
    ports: Object.freeze(parsed.data.ports),
    externalRedisUrl: parsed.data.externalRedisUrl,
    kafkaSaslPort: parsed.data.kafkaSaslPort,
    redisClusterPorts:
      parsed.data.redisClusterPorts === undefined
        ? undefined
        : Object.freeze(parsed.data.redisClusterPorts),
  });
}

/** How to fix a count out of range, named in the error about it. */
const COUNT_FIXES: Readonly<Record<string, string>> = Object.freeze({
  taskManagers: 'give --taskmanagers or FEATUREFLOW_TASKMANAGERS a count in 1..16',
  taskSlots: 'give --task-slots or FEATUREFLOW_TASK_SLOTS a count in 1..64',
  partitions: 'give --partitions or FEATUREFLOW_PARTITIONS a count in 1..256',
});

/** `--redis-cluster`: three masters from --redis-cluster-port (or its variable) on. */
function resolveRedisClusterPorts(
  flags: StackFlags,
  env: NodeJS.ProcessEnv,
  explicitRedis: string | undefined,
): number[] | undefined {
  if (!flags.redisCluster) return undefined;
  if (explicitRedis !== undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `--redis-cluster starts a Redis Cluster, but REDIS_URL / --redis names one to use: '${redactSecrets(explicitRedis)}' (drop one of the two; a running cluster is given as REDIS_URL=redis+cluster://host:port,...)`,
    );
  }
  const first = flags.redisClusterPort ?? env.FEATUREFLOW_REDIS_CLUSTER_PORT;
  return redisClusterPorts(
    first === undefined || first === ''
      ? REDIS_CLUSTER_FIRST_PORT
      : parseInteger(first, '--redis-cluster-port / FEATUREFLOW_REDIS_CLUSTER_PORT'),
  );
}

function flagOf(flags: StackFlags, name: PortName): string | undefined {
  const byName: Record<PortName, string | undefined> = {
    redis: flags.redisPort,
    kafka: flags.kafkaPort,
    kafkaController: flags.kafkaControllerPort,
    flinkRest: flags.flinkPort,
    flinkRpc: flags.flinkRpcPort,
    sqlGateway: flags.sqlGatewayPort,
  };
  return byName[name];
}

/** The port an endpoint variable implies, for the services whose endpoint users set. */
function endpointPort(
  name: PortName,
  endpoints: ReturnType<typeof resolveServiceEndpoints>,
): { port: number; source: string } | undefined {
  if (name === 'kafka') {
    const brokers = endpoints.kafkaBrokers;
    if (brokers.length !== 1 || !isLoopback(brokers[0]!.slice(0, brokers[0]!.lastIndexOf(':')))) {
      return {
        port: Number.NaN,
        source: `KAFKA_BROKERS='${brokers.join(',')}' names no single loopback broker`,
      };
    }
    return { port: portOfHostPort(brokers[0]!), source: 'KAFKA_BROKERS' };
  }
  if (name === 'sqlGateway') {
    const url = new URL(endpoints.flinkSqlGateway);
    if (!isLoopback(url.hostname)) {
      return {
        port: Number.NaN,
        source: `FLINK_SQL_GATEWAY='${endpoints.flinkSqlGateway}' is not on this machine`,
      };
    }
    return { port: portOfUrl(endpoints.flinkSqlGateway), source: 'FLINK_SQL_GATEWAY' };
  }
  return undefined;
}

function resolvePort(
  name: PortName,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  fromEndpoint: { port: number; source: string } | undefined,
): number {
  const spec = PORT_SPECS[name];
  if (flag !== undefined) return parseInteger(flag, spec.flag);
  const fromEnv = env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') return parseInteger(fromEnv, spec.env);
  if (fromEndpoint === undefined) return spec.fallback;
  if (Number.isNaN(fromEndpoint.port)) {
    // `up` starts services on this machine; an endpoint elsewhere cannot tell it a port.
    throw new FeatureflowError(
      'invalid_argument',
      `cannot start ${spec.label} where ${fromEndpoint.source} (unset it for the local stack, or choose the local port with ${spec.flag})`,
      { context: { port: name } },
    );
  }
  return fromEndpoint.port;
}

function assertDistinctPorts(ports: StackPorts, externalRedis: boolean): void {
  const seen = new Map<number, PortName>();
  for (const name of PORT_NAMES) {
    if (name === 'redis' && externalRedis) continue;
    const other = seen.get(ports[name]);
    if (other !== undefined) {
      throw new FeatureflowError(
        'invalid_argument',
        `${PORT_SPECS[name].label} and ${PORT_SPECS[other].label} are both set to port ${ports[name]} (give one another port with ${PORT_SPECS[name].flag})`,
        { context: { port: ports[name] } },
      );
    }
    seen.set(ports[name], name);
  }
}

function optionalPort(text: string | undefined, what: string): number | undefined {
  return text === undefined || text.trim() === '' ? undefined : parseInteger(text, what);
}

function parseInteger(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new FeatureflowError('invalid_argument', `${what} is not a whole number: '${text}'`, {
      context: { what, value: text },
    });
  }
  return Number(text.trim());
}

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

function portOfUrl(url: string): number {
  const parsed = new URL(url);
  if (parsed.port !== '') return Number(parsed.port);
  return parsed.protocol === 'https:' ? 443 : parsed.protocol.startsWith('redis') ? 6379 : 80;
}

/** The port of a Redis URL; of its first node for a cluster's. */
export function redisPortOf(url: string): number {
  const target = parseRedisUrl(url);
  return target.mode === 'cluster' ? target.nodes[0]!.port : portOfUrl(url);
}

function portOfHostPort(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
}
