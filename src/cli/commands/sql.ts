/** `featureflow sql`: the Flink SQL job file of a job, from its definition (src/flink/job-sql.ts). */
import type { Command } from 'commander';
import { type KafkaSecurityFlags, resolveKafkaSecurity } from '../../config/kafka-security.ts';
import { resolveFeatureJobConfig } from '../../core/models/config.ts';
import { jobSql } from '../../flink/job-sql.ts';
import { withKafkaSecurity } from '../../flink/kafka-table-security.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';
import { addKafkaSecurityOptions } from '../kafka-security-options.ts';

interface SqlFlags extends KafkaSecurityFlags {
  job: string;
  definitions?: string;
  window?: string;
  slide?: string;
  maxOutOfOrderness?: string;
}

export function register(program: Command): void {
  addKafkaSecurityOptions(
    addJobOptions(
      program
        .command('sql')
        .description(
          'print the Flink SQL job file of a job (source and feature tables, HOP windows, the call, late routing), ready for featureflow submit',
        ),
    )
      .option('--window <duration>', "window size (default: the job's, e.g. 5m)")
      .option('--slide <duration>', "window slide (default: the job's, e.g. 1m)")
      .option(
        '--max-out-of-orderness <duration>',
        "watermark delay behind the largest event time (default: the job's, e.g. 5s)",
      ),
  ).action(async (flags: SqlFlags) => {
    const config = resolveFeatureJobConfig(flags, await jobRegistryFor(flags));
    // Security options as placeholders: the printed file holds no password.
    const security = resolveKafkaSecurity(flags);
    process.stdout.write(
      withKafkaSecurity(
        jobSql(config.job, {
          sizeMs: config.windowSizeMs,
          slideMs: config.slideMs,
          maxOutOfOrdernessMs: config.maxOutOfOrdernessMs,
        }),
        security,
      ),
    );
  });
}
