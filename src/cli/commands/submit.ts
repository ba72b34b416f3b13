/** `featureflow submit`, `jobs`, `cancel`: Flink SQL through the SQL Gateway. */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { type KafkaSecurityFlags, resolveKafkaSecurity } from '../../config/kafka-security.ts';
import { FeatureflowError } from '../../core/errors.ts';
import { addDefinitionsOption, jobRegistryFor } from '../job-options.ts';
import { addKafkaSecurityOptions } from '../kafka-security-options.ts';

function collectVar(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new FeatureflowError('invalid_argument', `--var must be NAME=VALUE: got '${value}'`);
  }
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function register(program: Command): void {
  addKafkaSecurityOptions(
    addDefinitionsOption(
      program
        .command('submit')
        .description(
          'run a Flink SQL file statement by statement through the SQL Gateway; waits until its jobs run',
        ),
    )
      .argument('<file>', 'the .sql file; ${VAR} placeholders come from --var and the environment')
      .option('--var <NAME=VALUE>', 'fill ${NAME} (repeatable)', collectVar, {})
      .option(
        '--flink-sql-gateway <url>',
        'SQL Gateway URL (default: FLINK_SQL_GATEWAY or http://127.0.0.1:8083)',
      ),
  ).action(
    async (
      file: string,
      flags: KafkaSecurityFlags & {
        var: Record<string, string>;
        flinkSqlGateway?: string;
        definitions?: string;
      },
    ) => {
      const { resolveBridgeJar } = await import('../../flink/bridge-jar.ts');
      const { submitSqlScript } = await import('../../flink/submit-script.ts');
      // The jobs the file's functions come from: a definition that cannot work fails here,
      // before anything reaches Flink (the UDF service serves the same definitions).
      await jobRegistryFor(flags);
      const endpoints = resolveServiceEndpoints({ flinkSqlGateway: flags.flinkSqlGateway });
      const kafkaSecurity = resolveKafkaSecurity(flags);
      // The stack's own addresses are placeholders too, so files say ${KAFKA_BROKERS}, not a host.
      const vars = {
        KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
        UDF_ADDRESS: endpoints.udfAddress,
        // ADD JAR reads the path in the gateway's process, not in the caller's folder: absolute.
        FEATUREFLOW_BRIDGE_JAR: resolveBridgeJar(),
        ...flags.var,
      };
      const jobs = await submitSqlScript({
        file,
        gatewayUrl: endpoints.flinkSqlGateway,
        vars,
        kafkaSecurity,
        report: (line) => process.stdout.write(`${line}\n`),
      });
      process.stderr.write(`submit: ${file} done, ${jobs.length} job(s) running\n`);
    },
  );

  program
    .command('jobs')
    .description('list the Flink jobs (through the SQL Gateway)')
    .option('--flink-sql-gateway <url>', 'SQL Gateway URL')
    .action(async (flags: { flinkSqlGateway?: string }) => {
      const { SqlGatewayClient } = await import('../../flink/sql-gateway-client.ts');
      const { listJobs } = await import('../../flink/submit-script.ts');
      const client = new SqlGatewayClient(
        resolveServiceEndpoints({ flinkSqlGateway: flags.flinkSqlGateway }).flinkSqlGateway,
      );
      const session = await client.openSession();
      try {
        const jobs = await listJobs(client, session);
        if (jobs.length === 0) process.stdout.write('no jobs\n');
        for (const job of jobs)
          process.stdout.write(
            `${job.jobId}  ${job.status.padEnd(10)}  ${job.startTime}  ${job.name}\n`,
          );
      } finally {
        await client.closeSession(session);
      }
    });

  program
    .command('cancel')
    .description('stop a Flink job')
    .argument('<job-id>', 'as `featureflow jobs` lists it')
    .option('--flink-sql-gateway <url>', 'SQL Gateway URL')
    .action(async (jobId: string, flags: { flinkSqlGateway?: string }) => {
      if (!/^[0-9a-f]{32}$/.test(jobId)) {
        throw new FeatureflowError(
          'invalid_argument',
          `job id must be 32 hex digits: got '${jobId}' (see 'featureflow jobs')`,
        );
      }
      const { SqlGatewayClient } = await import('../../flink/sql-gateway-client.ts');
      const client = new SqlGatewayClient(
        resolveServiceEndpoints({ flinkSqlGateway: flags.flinkSqlGateway }).flinkSqlGateway,
      );
      const session = await client.openSession();
      try {
        await client.execute(session, `STOP JOB '${jobId}'`);
        process.stdout.write(`job ${jobId} cancelled\n`);
      } finally {
        await client.closeSession(session);
      }
    });
}
