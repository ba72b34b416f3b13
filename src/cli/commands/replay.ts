/** `featureflow replay`: DESIGN section 5 over a file (see src/replay/replay-job.ts). */
import type { Command } from 'commander';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';

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
    .action(async (flags: ReplayFlags) => {
      // Loaded when the command runs, so `--help` does not load the engine.
      const { resolveFeatureJobConfig } = await import('../../core/models/config.ts');
      const { runReplay } = await import('../../replay/replay-job.ts');
      const { createProgress, formatCount } = await import('../ui/progress.ts');
      const config = resolveFeatureJobConfig(flags, await jobRegistryFor(flags));
      const progress = createProgress('replay', 'bytes');
      const summary = await runReplay({
        config,
        inputPath: flags.input,
        outputPath: flags.output,
        lateOutputPath: flags.lateOutput,
        deadLetterPath: flags.deadLetter,
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
      if (summary.inputFailure) lines.push(`  warning: ${summary.inputFailure}`);
      process.stderr.write(`${lines.join('\n')}\n`);
    });
}
