/** `featureflow replay`: docs/windows.md over a file (see src/replay/replay-job.ts). */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { FeatureflowError } from '../../core/errors.ts';
import type { InputDamage } from '../../io/avro-file-reader.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../../io/line-reader.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';
import { formatCount } from '../ui/progress.ts';

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
  maxLineBytes: number;
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
    .option(
      '--window <duration>',
      "window size, a whole multiple of the slide as in Flink (default: the job's, e.g. 5m)",
    )
    .option('--slide <duration>', "window slide (default: the job's, e.g. 1m)")
    .option(
      '--max-out-of-orderness <duration>',
      "watermark delay behind the largest event time (default: the job's, e.g. 5s)",
    )
    .option('--late-output <file>', 'late events (NDJSON)')
    .option(
      '--dead-letter <file>',
      'invalid records (NDJSON: line, reason, code, raw; raw_base64 for a line that is not UTF-8)',
    )
    .option(
      '--max-line-bytes <bytes>',
      'NDJSON: a longer line is dead-lettered as line_too_long and skipped',
      parseMaxLineBytes,
      DEFAULT_MAX_LINE_BYTES,
    )
    .addHelpText(
      'after',
      [
        '',
        'Outputs are written to temporary files and renamed into place when the run succeeds;',
        'a failed run leaves existing files as they were. No output may be the input or another',
        'output (links included).',
        '',
        'Exit codes: 0 done (invalid records are in the dead letters and the summary);',
        '1 failed, or part of an Avro input could not be read (cut short or corrupt: what was whole',
        'is written, what was lost is in the summary and the dead letters); 2 unusable flags.',
      ].join('\n'),
    )
    .option(
      '--redis <url>',
      "also write each entity's newest windows to this Redis, as the live sink does (a newer stored window is kept)",
    )
    .action(async (flags: ReplayFlags) => {
      // Loaded when the command runs, so `--help` does not load the engine.
      const { resolveFeatureJobConfig } = await import('../../core/models/config.ts');
      const { runReplay } = await import('../../replay/replay-job.ts');
      const { createProgress } = await import('../ui/progress.ts');
      const { backfillRedis } = await import('../../replay/redis-backfill.ts');
      const config = resolveFeatureJobConfig(flags, await jobRegistryFor(flags));
      const progress = createProgress('replay', 'bytes');
      const summary = await runReplay({
        config,
        inputPath: flags.input,
        outputPath: flags.output,
        lateOutputPath: flags.lateOutput,
        deadLetterPath: flags.deadLetter,
        maxLineBytes: flags.maxLineBytes,
        onProgress: (done, total, events) => progress.update(done, total, events),
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
      if (summary.damage.length > 0) {
        lines.push(`  ${describeDamage(summary.damage)}`);
        for (const damage of summary.damage.slice(0, DAMAGE_SAMPLES)) {
          lines.push(`  ${damage.message}`);
        }
        if (summary.damage.length > DAMAGE_SAMPLES) {
          lines.push(`  ... and ${summary.damage.length - DAMAGE_SAMPLES} more damaged parts`);
        }
        // What was whole is written, but the run lost input: a script must not take it for done.
        process.exitCode = 1;
      }
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

const DAMAGE_SAMPLES = 5;

function describeDamage(damage: readonly InputDamage[]): string {
  const bytes = damage.reduce((sum, part) => sum + part.lostBytes, 0);
  const counted = damage.filter((part) => part.lostRecords !== undefined);
  const records = counted.reduce((sum, part) => sum + part.lostRecords!, 0);
  const recordsText =
    counted.length === damage.length
      ? `, ${formatCount(records)} records`
      : counted.length > 0
        ? `, at least ${formatCount(records)} records`
        : '';
  return `input damaged: ${formatCount(damage.length)} part${damage.length === 1 ? '' : 's'} could not be read, ${formatCount(bytes)} bytes${recordsText} lost (the rows hold only what was whole; exit code 1)`;
}

function parseMaxLineBytes(value: string): number {
  const bytes = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new FeatureflowError(
      'invalid_argument',
      `--max-line-bytes is not a positive whole number of bytes: '${value}' (e.g. ${DEFAULT_MAX_LINE_BYTES} for 16 MiB)`,
    );
  }
  return bytes;
}
