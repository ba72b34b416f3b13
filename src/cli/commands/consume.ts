/** `featureflow consume`: the Kafka consumer runtime (see src/consumer/consumer-runtime.ts). */

import type { Command } from 'commander';
import { type ConsumerFlags, resolveConsumerConfig } from '../../consumer/consumer-config.ts';
import { ConsumerRuntime } from '../../consumer/consumer-runtime.ts';
import { collectProcessMetrics, serveMetrics } from '../../core/metrics.ts';
import { redactSecrets } from '../../core/redaction.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';
import { formatCount } from '../ui/progress.ts';

export function register(program: Command): void {
  addJobOptions(
    program
      .command('consume')
      .description(
        'compute features from a Kafka topic into Redis without Flink (same windows and functions)',
      ),
  )
    .option('--group <id>', 'consumer group (default featureflow-consume-<job>)')
    .option('--redis <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6380)')
    .option('--brokers <list>', 'Kafka bootstrap servers (default KAFKA_BROKERS or 127.0.0.1:9092)')
    .option('--topic <topic>', "events topic (default: the job's)")
    .option('--window <duration>', "window size (default: the job's, e.g. 5m)")
    .option('--slide <duration>', "window slide (default: the job's, e.g. 1m)")
    .option('--max-out-of-orderness <duration>', "watermark delay (default: the job's, e.g. 5s)")
    .option(
      '--idle-timeout <duration>',
      'a partition without events this long stops holding the watermark back (default 30s)',
    )
    .option('--metrics-port <port>', 'serve /metrics on this port')
    .option('--status-interval <seconds>', 'seconds between status lines on stderr (0: none)', '10')
    .action(async (flags: ConsumerFlags) => {
      const config = resolveConsumerConfig(flags, await jobRegistryFor(flags));
      const log = (line: string) =>
        process.stderr.write(`consume ${config.job.job.name}: ${line}\n`);
      const runtime = new ConsumerRuntime(config, log);
      collectProcessMetrics();
      const metrics =
        config.metricsPort >= 0
          ? await serveMetrics({ port: config.metricsPort, host: '127.0.0.1' })
          : undefined;
      if (metrics) log(`metrics on ${metrics.url}`);

      let previous = { at: Date.now(), events: 0 };
      const status =
        config.statusIntervalMs > 0
          ? setInterval(() => {
              const now = Date.now();
              const c = runtime.counters;
              const rate = ((c.events - previous.events) * 1000) / Math.max(1, now - previous.at);
              previous = { at: now, events: c.events };
              const watermark = Number.isFinite(runtime.watermark)
                ? new Date(runtime.watermark).toISOString()
                : 'none yet';
              log(
                `${formatCount(c.events)} events (${formatCount(rate)}/s), lag ${formatCount(runtime.lag)}, watermark ${watermark}, ` +
                  `open windows ${formatCount(runtime.openWindows)}, windows ${formatCount(c.windows)}, Redis written ${formatCount(c.written)} ` +
                  `stale ${formatCount(c.stale)}, late ${formatCount(c.late)}, invalid ${formatCount(c.invalid)}`,
              );
            }, config.statusIntervalMs)
          : undefined;

      const stopped = new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          log(`${signal}: finishing the current batch, committing, leaving the group`);
          runtime
            .stop()
            .catch((error: unknown) => log(`shutdown: ${String(error)}`))
            .finally(resolve);
        };
        process.once('SIGTERM', () => onSignal('SIGTERM'));
        process.once('SIGINT', () => onSignal('SIGINT'));
      });
      log(
        `group ${config.groupId} on ${config.topic} at ${config.brokers.join(',')} -> ${redactSecrets(config.redisUrl)}`,
      );
      await runtime.start();
      await stopped;
      if (status) clearInterval(status);
      await metrics?.close();
      log(
        `stopped after ${formatCount(runtime.counters.events)} events, ${formatCount(runtime.counters.windows)} windows`,
      );
    });
}
