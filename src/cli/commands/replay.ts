/** `featureflow replay`: DESIGN section 5 over a file (see src/replay/replay-job.ts). */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { resolveFeatureJobConfig } from '../../core/models/config.ts';
import { backfillRedis } from '../../replay/redis-backfill.ts';
import { runReplay } from '../../replay/replay-job.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';
import { createProgress, formatCount } from '../ui/progress.ts';

interface ReplayFlags {
  job: string;
  definitions?: string;
  input: string;
  output: string;
  window?: string;
  slide?: string;
  maxOutOfOrderness?: string;
  lateOutput?: string;
  deadLetter?: string;
  redis?: string;
}

export function register(program: Command): void {
  addJobOptions(
    program
      .command('replay')
      .description(
        'compute feature rows from an event file (.ndjson or .avro), exactly as the streaming jobs do',
      ),
  )
    .requiredOption(
      '--input <file>',
      'events: NDJSON (one per line) or an Avro object container file',
    )
    .requiredOption('--output <file>', 'feature rows, one NDJSON line per fired window')
    .option('--window <duration>', "window size (default: the job's, e.g. 5m)")
    .option('--slide <duration>', "window slide (default: the job's, e.g. 1m)")
    .option(
      '--max-out-of-orderness <duration>',
      "watermark delay behind the largest event time (default: the job's, e.g. 5s)",
    )
    .option('--late-output <file>', 'late events (NDJSON)')
    .option('--dead-letter <file>', 'invalid records (NDJSON: line, reason, code, raw)')
    .option(
      '--redis <url>',
      "also write each entity's newest windows to this Redis, as the live sink does (a newer stored window is kept)",
    )
    .action(async (flags: ReplayFlags) => {
      const config = resolveFeatureJobConfig(flags, await jobRegistryFor(flags));
      const progress = createProgress('replay', 'bytes');
      const summary = await runReplay({
        config,
        inputPath: flags.input,
        outputPath: flags.output,
        lateOutputPath: flags.lateOutput,
        deadLetterPath: flags.deadLetter,
        onProgress: (done, total) => progress.update(done, total),
      }).finally(() => progress.stop());

      const seconds = summary.elapsedMs / 1000;
      const lines = [
        `replay ${config.job.name}: ${formatCount(summary.records)} events read, ${formatCount(summary.valid)} valid, ` +
          `${formatCount(summary.late)} late, ${formatCount(summary.invalid)} invalid, ` +
          `${formatCount(summary.windows)} windows -> ${flags.output} ` +
          `(${seconds.toFixed(2)} s, ${formatCount(summary.records / Math.max(seconds, 1e-9))} events/s)`,
      ];
      if (summary.late > 0 && !flags.lateOutput) {
        lines.push(
          `  ${formatCount(summary.late)} late events were counted but not kept (add --late-output FILE to keep them)`,
        );
      }
      if (summary.invalid > 0 && !flags.deadLetter) {
        for (const sample of summary.invalidSamples)
          lines.push(`  invalid line ${sample.line}: ${sample.reason}`);
        if (summary.invalid > summary.invalidSamples.length) {
          lines.push(
            `  ... and ${formatCount(summary.invalid - summary.invalidSamples.length)} more (add --dead-letter FILE to keep them all)`,
          );
        }
      }
      if (summary.inputFailure) lines.push(`  warning: ${summary.inputFailure}`);
      process.stderr.write(`${lines.join('\n')}\n`);
      if (flags.redis !== undefined) {
        const { redisUrl } = resolveServiceEndpoints({ redis: flags.redis });
        const backfill = await backfillRedis({
          rowsPath: flags.output,
          job: config.job,
          redisUrl,
          log: (line) => process.stderr.write(`  ${line}\n`),
        });
        const { written, stale, failed, repaired } = backfill.result;
        process.stderr.write(
          `backfill -> Redis at ${backfill.redisUrl}: ${formatCount(backfill.sent)} newest windows of ${formatCount(backfill.rows)} rows, ` +
            `${formatCount(written)} written, ${formatCount(stale)} kept a newer stored window, ${formatCount(failed)} refused` +
            (repaired > 0 ? `, ${formatCount(repaired)} repaired an unreadable window_end` : '') +
            '\n',
        );
        // Refused windows are listed above; a script must not take the backfill for complete.
        if (failed > 0) process.exitCode = 1;
      }
    });
}
