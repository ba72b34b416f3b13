/** The consumer runtime's configuration: one resolver, defaults, validation, frozen. */
import { resolveServiceEndpoints } from '../config/environment.ts';
import {
  type KafkaSecurity,
  type KafkaSecurityFlags,
  resolveKafkaSecurity,
} from '../config/kafka-security.ts';
import { resolveLifecycle } from '../config/lifecycle.ts';
import { parsePort } from '../config/port-flag.ts';
import { FeatureflowError } from '../core/errors.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { type FeatureJobConfig, resolveFeatureJobConfig } from '../core/models/config.ts';

export interface ConsumerFlags extends KafkaSecurityFlags {
  job?: string;
  definitions?: string;
  group?: string;
  redis?: string;
  brokers?: string;
  topic?: string;
  window?: string;
  slide?: string;
  maxOutOfOrderness?: string;
  idleTimeout?: string;
  metricsPort?: string;
  statusInterval?: string;
  kafkaRetryTimeout?: string;
  drainTimeout?: string;
}

export interface ResolvedConsumerConfig {
  readonly job: FeatureJobConfig;
  readonly groupId: string;
  readonly topic: string;
  readonly brokers: readonly string[];
  /** TLS and SASL settings of Kafka (docs/kafka-security.md). */
  readonly kafkaSecurity: KafkaSecurity;
  readonly redisUrl: string;
  readonly ttlMs: number;
  /** Must be at least the largest message (the broker's default limit is about 1 MiB). */
  readonly maxBytesPerPartition: number;
  readonly tickIntervalMs: number;
  readonly statusIntervalMs: number;
  /** -1: no /metrics endpoint. */
  readonly metricsPort: number;
  /** How long Kafka may stay unreachable (starting, or crashed and restarting) before exit 1. */
  readonly kafkaRetryTimeoutMs: number;
  /** On SIGTERM, how long the batch in hand may take to be written and committed. */
  readonly drainTimeoutMs: number;
}

export function resolveConsumerConfig(
  flags: ConsumerFlags,
  jobs: JobRegistry,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConsumerConfig {
  const job = resolveFeatureJobConfig(flags, jobs, env);
  const endpoints = resolveServiceEndpoints({ redis: flags.redis, brokers: flags.brokers }, env);
  const metricsPortText = flags.metricsPort ?? env.FEATUREFLOW_METRICS_PORT;
  const metricsPort =
    metricsPortText === undefined
      ? -1
      : parsePort(metricsPortText, '--metrics-port / FEATUREFLOW_METRICS_PORT');
  const statusSeconds = Number(flags.statusInterval ?? 10);
  if (!Number.isFinite(statusSeconds) || statusSeconds < 0) {
    throw new FeatureflowError(
      'invalid_argument',
      `--status-interval must be seconds (0 turns the status line off): got '${flags.statusInterval}'`,
    );
  }
  return Object.freeze({
    job,
    groupId: flags.group ?? `featureflow-consume-${job.job.name}`,
    topic: flags.topic ?? job.job.topics.events,
    brokers: endpoints.kafkaBrokers,
    kafkaSecurity: resolveKafkaSecurity(flags, env),
    redisUrl: endpoints.redisUrl,
    ttlMs: 24 * 60 * 60 * 1000,
    maxBytesPerPartition: 2 * 1024 * 1024,
    tickIntervalMs: 1_000,
    statusIntervalMs: statusSeconds * 1000,
    metricsPort,
    ...resolveLifecycle(flags),
  });
}
