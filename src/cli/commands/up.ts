/** `featureflow up`: the local stack (see src/stack/stack-up.ts), ready when this returns. */

import type { Command } from 'commander';
import { redactSecrets } from '../../core/redaction.ts';
import { REDIS_CLUSTER_FIRST_PORT, REDIS_CLUSTER_MASTERS } from '../../stack/redis-cluster.ts';
import {
  PORT_SPECS,
  resolveStackConfig,
  STACK_DEFAULTS,
  type StackFlags,
} from '../../stack/stack-config.ts';
import { addDefinitionsOption, jobRegistryFor } from '../job-options.ts';

interface UpFlags extends StackFlags {
  definitions?: string;
  json?: boolean;
  resolveOnly?: boolean;
}

export function register(program: Command): void {
  addDefinitionsOption(
    program
      .command('up')
      .description(
        "start the local stack: Redis, Kafka (KRaft), a Flink session cluster (JobManager + TaskManagers) and the Flink SQL Gateway, and create the jobs' topics; on a stack that is up, start only what is missing (a TaskManager or broker that died)",
      ),
  )
    .option(
      '--run-dir <dir>',
      `pids, logs, configs and data (default: FEATUREFLOW_RUN_DIR or ${STACK_DEFAULTS.runDir})`,
    )
    .option(
      '--home <dir>',
      'artifact cache for the Kafka and Flink jars (default: FEATUREFLOW_HOME or ~/.cache/featureflow)',
    )
    .option(
      '--redis <url>',
      'use this Redis instead of starting one (default: REDIS_URL, else up starts one)',
    )
    .option(
      '--redis-port <port>',
      `port of the Redis that up starts (default: ${PORT_SPECS.redis.env} or ${PORT_SPECS.redis.fallback})`,
    )
    .option(
      '--redis-cluster',
      `start a Redis Cluster of ${REDIS_CLUSTER_MASTERS} masters instead of one Redis (REDIS_URL=redis+cluster://...)`,
    )
    .option(
      '--redis-cluster-port <port>',
      `port of the first Redis Cluster node; the others take the next ones (default: FEATUREFLOW_REDIS_CLUSTER_PORT or ${REDIS_CLUSTER_FIRST_PORT})`,
    )
    .option(
      '--kafka-port <port>',
      `Kafka's client port (default: ${PORT_SPECS.kafka.env}, the port of KAFKA_BROKERS or ${PORT_SPECS.kafka.fallback})`,
    )
    .option(
      '--kafka-controller-port <port>',
      `Kafka's KRaft controller port (default: ${PORT_SPECS.kafkaController.env} or ${PORT_SPECS.kafkaController.fallback})`,
    )
    .option(
      '--flink-port <port>',
      `Flink REST API and web UI (default: ${PORT_SPECS.flinkRest.env} or ${PORT_SPECS.flinkRest.fallback})`,
    )
    .option(
      '--flink-rpc-port <port>',
      `Flink JobManager RPC (default: ${PORT_SPECS.flinkRpc.env} or ${PORT_SPECS.flinkRpc.fallback})`,
    )
    .option(
      '--sql-gateway-port <port>',
      `Flink SQL Gateway REST (default: ${PORT_SPECS.sqlGateway.env}, the port of FLINK_SQL_GATEWAY or ${PORT_SPECS.sqlGateway.fallback})`,
    )
    .option(
      '--kafka-sasl-port <port>',
      "also open a SASL_SSL listener on Kafka (TLS with a CA of the run folder; PLAIN and SCRAM-SHA-512 user 'featureflow'; client settings in <run-dir>/kafka/sasl/client.env) (default: FEATUREFLOW_KAFKA_SASL_PORT, else none)",
    )
    .option(
      '--taskmanagers <n>',
      `TaskManager JVMs, each with --task-slots slots; on a running stack, a larger count adds TaskManagers (default: FEATUREFLOW_TASKMANAGERS or ${STACK_DEFAULTS.taskManagers})`,
    )
    .option(
      '--task-slots <n>',
      `slots per TaskManager: parallel subtasks (or parallelism-1 jobs) it runs at once (default: FEATUREFLOW_TASK_SLOTS or ${STACK_DEFAULTS.taskSlots})`,
    )
    .option(
      '--partitions <n>',
      `partitions of each topic up creates: the most source subtasks a job keeps busy (default: FEATUREFLOW_PARTITIONS or ${STACK_DEFAULTS.partitions})`,
    )
    .option(
      '--timeout <duration>',
      `how long each service may take to become ready (default: ${STACK_DEFAULTS.readyTimeout})`,
    )
    .option('--json', 'print the started stack (endpoints, pids, timings) as JSON on stdout')
    .option(
      '--resolve-only',
      'only fetch the Kafka and Flink jars into the cache (Maven), start nothing: for CI images and offline use',
    )
    .action(async (flags: UpFlags) => {
      const config = resolveStackConfig(flags);
      const { resolveArtifacts } = await import('../../stack/artifacts.ts');
      const { stackUp } = await import('../../stack/stack-up.ts');
      const report = (line: string) => process.stderr.write(`up: ${line}\n`);
      if (flags.resolveOnly) {
        const { artifacts, resolved } = await resolveArtifacts({
          homeDir: config.homeDir,
          onProgress: report,
        });
        const seconds = resolved.reduce((sum, r) => sum + r.seconds, 0);
        process.stdout.write(
          `jars ${resolved.length > 0 ? `resolved in ${seconds.toFixed(1)} s` : 'already current'}: ${artifacts.kafkaLibDir}, ${artifacts.flinkLibDir}\n`,
        );
        return;
      }
      // Ctrl-C during startup stops what was started instead of leaving half a stack.
      const controller = new AbortController();
      const onInterrupt = () => controller.abort();
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      try {
        report(`starting the stack in ${config.runDir}`);
        const jobs = await jobRegistryFor(flags);
        const result = await stackUp(config, { report, signal: controller.signal, jobs });
        const { endpoints } = result.state;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          [
            (result.started.length === result.state.services.length
              ? 'stack up'
              : `stack up (started: ${result.started.join(', ') || 'nothing'})`) +
              ` in ${(result.totalMs / 1000).toFixed(1)} s` +
              (result.artifactSeconds > 0
                ? ` (of which ${result.artifactSeconds.toFixed(1)} s resolving jars)`
                : ''),
            `  REDIS_URL=${redactSecrets(endpoints.redisUrl)}`,
            `  KAFKA_BROKERS=${endpoints.kafkaBrokers}`,
            `  FLINK_SQL_GATEWAY=${endpoints.flinkSqlGateway}`,
            `  Flink web UI: ${endpoints.flinkWebUi}`,
            `  logs: ${config.runDir}/logs; stop with 'featureflow down'${flags.runDir ? ` --run-dir ${flags.runDir}` : ''}`,
            '',
          ].join('\n'),
        );
      } finally {
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onInterrupt);
      }
    });
}
