/** `featureflow down`: stops what `up` started, by pid (see src/stack/stack-down.ts). */
import type { Command } from 'commander';
import { parseDurationMs } from '../../core/utils/durations.ts';
import { resolveRunDir, STACK_DEFAULTS } from '../../stack/stack-config.ts';

interface DownFlags {
  runDir?: string;
  stopTimeout?: string;
  purge?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('down')
    .description(
      'stop the local stack that `up` started (exactly its processes), and wait until they exited',
    )
    .option(
      '--run-dir <dir>',
      `the stack's run folder (default: FEATUREFLOW_RUN_DIR or ${STACK_DEFAULTS.runDir})`,
    )
    .option(
      '--stop-timeout <duration>',
      `how long each service may take to exit before it is killed (default: ${STACK_DEFAULTS.stopTimeout})`,
    )
    .option('--purge', 'also delete the data: Kafka topics, Flink checkpoints, Redis (logs stay)')
    .option('--json', 'print what was stopped, with timings, as JSON on stdout')
    .action(async (flags: DownFlags) => {
      const runDir = resolveRunDir(flags);
      const stopTimeoutMs = parseDurationMs(
        flags.stopTimeout ?? STACK_DEFAULTS.stopTimeout,
        '--stop-timeout',
      );
      const { stackDown } = await import('../../stack/stack-down.ts');
      const report = (line: string) => process.stderr.write(`down: ${line}\n`);
      const result = await stackDown(runDir, {
        stopTimeoutMs,
        purge: flags.purge ?? false,
        report,
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else if (!result.found) {
        process.stdout.write(`no stack is up in ${runDir} (nothing to stop)\n`);
      } else {
        process.stdout.write(
          `stack down in ${(result.totalMs / 1000).toFixed(1)} s (${result.stopped.length} processes)\n`,
        );
      }
    });
}
