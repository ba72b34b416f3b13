/** `featureflow sink`: the Redis sink connector (see src/sink/sink-connector.ts). */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import {
  describeKafkaSecurity,
  type KafkaSecurityFlags,
  resolveKafkaSecurity,
} from '../../config/kafka-security.ts';
import { resolveLifecycle } from '../../config/lifecycle.ts';
import { parsePort } from '../../config/port-flag.ts';
import { redactSecrets } from '../../core/redaction.ts';
import { addDefinitionsOption, jobRegistryFor } from '../job-options.ts';
import { addKafkaSecurityOptions } from '../kafka-security-options.ts';
import { addLifecycleOptions } from './consume.ts';

interface SinkFlags extends KafkaSecurityFlags {
  topics?: string;
  definitions?: string;
  group: string;
  redis?: string;
  brokers?: string;
  metricsPort?: string;
  kafkaRetryTimeout?: string;
  drainTimeout?: string;
}

export function register(program: Command): void {
  addKafkaSecurityOptions(
    addLifecycleOptions(
      addDefinitionsOption(
        program
          .command('sink')
          .description(
            'write the feature topics to Redis (newest window wins), committing only what Redis acknowledged',
          ),
      )
        .option(
          '--topics <list>',
          "feature topics; topic=features.<job> names the schema of a topic with another name (default: every job's)",
        )
        .option('--group <id>', 'consumer group', 'featureflow-sink')
        .option('--redis <url>', 'Redis URL (default: REDIS_URL or redis://127.0.0.1:6380)')
        .option(
          '--brokers <list>',
          'Kafka bootstrap servers (default: KAFKA_BROKERS or 127.0.0.1:9092)',
        )
        .option(
          '--metrics-port <port>',
          'serve /metrics on this port; 0 picks one (default: none)',
        ),
    ),
  ).action(async (flags: SinkFlags) => {
    const endpoints = resolveServiceEndpoints({ redis: flags.redis, brokers: flags.brokers });
    const metricsPort =
      flags.metricsPort === undefined ? undefined : parsePort(flags.metricsPort, '--metrics-port');
    const lifecycle = resolveLifecycle(flags);
    const kafkaSecurity = resolveKafkaSecurity(flags);
    // Loaded when the command runs, so `--help` does not load Kafka or Redis.
    const { collectProcessMetrics, serveMetrics } = await import('../../core/metrics.ts');
    const { SinkConnector } = await import('../../sink/sink-connector.ts');
    const { formatCount } = await import('../ui/progress.ts');
    const { runServiceProcess } = await import('../service-process.ts');

    const jobs = await jobRegistryFor(flags);
    const topicList = flags.topics ?? jobs.featureTopics.join(',');
    const topics = topicList.split(',').map((entry) => {
      const [topic, schemaTopic] = entry.trim().split('=');
      return { topic: topic!, schemaTopic: schemaTopic ?? topic! };
    });
    const log = (line: string) => process.stderr.write(`sink: ${line}\n`);
    const connector = new SinkConnector({
      brokers: endpoints.kafkaBrokers,
      kafkaSecurity,
      redisUrl: endpoints.redisUrl,
      groupId: flags.group,
      topics,
      jobs,
      kafkaRetryTimeoutMs: lifecycle.kafkaRetryTimeoutMs,
      log,
    });
    collectProcessMetrics();
    const metrics =
      metricsPort === undefined
        ? undefined
        : await serveMetrics({ port: metricsPort, host: '127.0.0.1' });
    log(
      `group ${flags.group} on ${topics.map((t) => t.topic).join(',')} at ${endpoints.kafkaBrokers.join(',')} (${describeKafkaSecurity(kafkaSecurity)}) -> ${redactSecrets(endpoints.redisUrl)}`,
    );
    try {
      await runServiceProcess(connector, {
        log,
        drainTimeoutMs: lifecycle.drainTimeoutMs,
        statusIntervalMs: 10_000,
        statusLine: () => {
          const c = connector.counters;
          return `${formatCount(c.messages)} rows read, Redis written ${formatCount(c.written)} stale ${formatCount(c.stale)} failed ${formatCount(c.failed)}, dead letters ${formatCount(c.deadLetters)}`;
        },
      });
    } finally {
      await metrics?.close();
    }
  });
}
