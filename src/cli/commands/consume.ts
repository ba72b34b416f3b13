/** `featureflow consume`: the Kafka consumer runtime (see src/consumer/consumer-runtime.ts). */
import type { Command } from 'commander';
import { describeKafkaSecurity } from '../../config/kafka-security.ts';
import { LIFECYCLE_DEFAULTS } from '../../config/lifecycle.ts';
import type { ConsumerFlags } from '../../consumer/consumer-config.ts';
import { redactSecrets } from '../../core/redaction.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';
import { addKafkaSecurityOptions } from '../kafka-security-options.ts';

export function register(program: Command): void {
  addKafkaSecurityOptions(
    addLifecycleOptions(
      addJobOptions(
        program
          .command('consume')
          .description(
            'compute features from a Kafka topic into Redis without Flink (same windows and functions)',
          ),
      )
        .option('--group <id>', 'consumer group (default: featureflow-consume-<job>)')
        .option('--redis <url>', 'Redis URL (default: REDIS_URL or redis://127.0.0.1:6380)')
        .option(
          '--brokers <list>',
          'Kafka bootstrap servers (default: KAFKA_BROKERS or 127.0.0.1:9092)',
        )
        .option('--topic <topic>', "events topic (default: the job's)")
        .option('--window <duration>', "window size (default: the job's, e.g. 5m)")
        .option('--slide <duration>', "window slide (default: the job's, e.g. 1m)")
        .option(
          '--max-out-of-orderness <duration>',
          "watermark delay (default: the job's, e.g. 5s)",
        )
        .option(
          '--idle-timeout <duration>',
          'a partition without events this long stops holding the watermark back (default: 30s)',
        )
        .option(
          '--metrics-port <port>',
          'serve /metrics on this port; 0 picks one (default: FEATUREFLOW_METRICS_PORT, else none)',
        )
        .option(
          '--status-interval <seconds>',
          'seconds between status lines on stderr (0: none)',
          '10',
        ),
    ),
  ).action(async (flags: ConsumerFlags) => {
    // Loaded when the command runs, so `--help` does not load Kafka, Redis or the engine.
    const { resolveConsumerConfig } = await import('../../consumer/consumer-config.ts');
    const { ConsumerRuntime } = await import('../../consumer/consumer-runtime.ts');
    const { collectProcessMetrics, serveMetrics } = await import('../../core/metrics.ts');
    const { formatCount } = await import('../ui/progress.ts');
    const { runServiceProcess } = await import('../service-process.ts');

    const config = resolveConsumerConfig(flags, await jobRegistryFor(flags));
    const log = (line: string) => process.stderr.write(`consume ${config.job.job.name}: ${line}\n`);
    const runtime = new ConsumerRuntime(config, log);
    collectProcessMetrics();
    const metrics =
      config.metricsPort >= 0
        ? await serveMetrics({ port: config.metricsPort, host: '127.0.0.1' })
        : undefined;
    if (metrics) log(`metrics on ${metrics.url}`);

    let previous = { at: Date.now(), events: 0 };
    const statusLine = () => {
      const now = Date.now();
      const c = runtime.counters;
      const rate = ((c.events - previous.events) * 1000) / Math.max(1, now - previous.at);
      previous = { at: now, events: c.events };
      const watermark = Number.isFinite(runtime.watermark)
        ? new Date(runtime.watermark).toISOString()
        : 'none yet';
      return (
        `${formatCount(c.events)} events (${formatCount(rate)}/s), lag ${formatCount(runtime.lag)}, watermark ${watermark}, ` +
        `open windows ${formatCount(runtime.openWindows)}, windows ${formatCount(c.windows)}, Redis written ${formatCount(c.written)} ` +
        `stale ${formatCount(c.stale)}, late ${formatCount(c.late)}, invalid ${formatCount(c.invalid)}`
      );
    };
    log(
      `group ${config.groupId} on ${config.topic} at ${config.brokers.join(',')} (${describeKafkaSecurity(config.kafkaSecurity)}) -> ${redactSecrets(config.redisUrl)}`,
    );
    try {
      await runServiceProcess(runtime, {
        log,
        drainTimeoutMs: config.drainTimeoutMs,
        statusLine,
        statusIntervalMs: config.statusIntervalMs,
      });
      log(
        `stopped after ${formatCount(runtime.counters.events)} events, ${formatCount(runtime.counters.windows)} windows`,
      );
    } finally {
      await metrics?.close();
    }
  });
}

/** --kafka-retry-timeout and --drain-timeout, the same for consume and sink. */
export function addLifecycleOptions(command: Command): Command {
  return command
    .option(
      '--kafka-retry-timeout <duration>',
      `how long Kafka may stay unreachable (at start or after a crash) before exiting with code 1 (default: ${LIFECYCLE_DEFAULTS.kafkaRetryTimeout})`,
    )
    .option(
      '--drain-timeout <duration>',
      `on SIGTERM, how long the batch in hand may take to be written and committed (default: ${LIFECYCLE_DEFAULTS.drainTimeout})`,
    );
}
