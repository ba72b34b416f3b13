/** `featureflow sink`: the Redis sink connector (see src/sink/sink-connector.ts). */

import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { parsePort } from '../../config/port-flag.ts';
import { collectProcessMetrics, serveMetrics } from '../../core/metrics.ts';
import { redactSecrets } from '../../core/redaction.ts';
import { SinkConnector } from '../../sink/sink-connector.ts';
import { addDefinitionsOption, jobRegistryFor } from '../job-options.ts';
import { formatCount } from '../ui/progress.ts';

interface SinkFlags {
  topics?: string;
  definitions?: string;
  group: string;
  redis?: string;
  brokers?: string;
  metricsPort?: string;
}

export function register(program: Command): void {
  addDefinitionsOption(
    program
      .command('sink')
      .description(
        'write the feature topics to Redis (newest window wins), committing only what Redis acknowledged',
      ),
  )
    .option(
      '--topics <list>',
      "feature topics (default: every job's); topic=features.<job> names the schema of a topic with another name",
    )
    .option('--group <id>', 'consumer group', 'featureflow-sink')
    .option('--redis <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6380)')
    .option('--brokers <list>', 'Kafka bootstrap servers (default KAFKA_BROKERS)')
    .option('--metrics-port <port>', 'serve /metrics on this port')
    .action(async (flags: SinkFlags) => {
      const endpoints = resolveServiceEndpoints({ redis: flags.redis, brokers: flags.brokers });
      const jobs = await jobRegistryFor(flags);
      const topicList = flags.topics ?? jobs.featureTopics.join(',');
      const topics = topicList.split(',').map((entry) => {
        const [topic, schemaTopic] = entry.trim().split('=');
        return { topic: topic!, schemaTopic: schemaTopic ?? topic! };
      });
      const log = (line: string) => process.stderr.write(`sink: ${line}\n`);
      const connector = new SinkConnector({
        brokers: endpoints.kafkaBrokers,
        redisUrl: endpoints.redisUrl,
        groupId: flags.group,
        topics,
        jobs,
        log,
      });
      collectProcessMetrics();
      const metrics =
        flags.metricsPort === undefined
          ? undefined
          : await serveMetrics({
              port: parsePort(flags.metricsPort, '--metrics-port'),
              host: '127.0.0.1',
            });
      const status = setInterval(() => {
        const c = connector.counters;
        log(
          `${formatCount(c.messages)} rows read, Redis written ${formatCount(c.written)} stale ${formatCount(c.stale)} failed ${formatCount(c.failed)}, dead letters ${formatCount(c.deadLetters)}`,
        );
      }, 10_000);
      const stopped = new Promise<void>((resolve) => {
        const onSignal = () => void connector.stop().finally(resolve);
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      log(
        `group ${flags.group} on ${topics.map((t) => t.topic).join(',')} -> ${redactSecrets(endpoints.redisUrl)}`,
      );
      await connector.start();
      await stopped;
      clearInterval(status);
      await metrics?.close();
    });
}
