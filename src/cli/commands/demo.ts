/** `featureflow demo` (npm start): the pipeline on the local stack (see src/demo/run-demo.ts). */
import type { Command } from 'commander';
import { FeatureflowError } from '../../core/errors.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole pipeline on the local stack: generated events -> Kafka -> Flink SQL -> Redis, with live progress',
    )
    .option('--events <n>', 'events to stream', '20000')
    .option('--rate <events-per-second>', 'steady produce rate', '2000')
    .action(async (flags: { events: string; rate: string }) => {
      const events = Number(flags.events);
      const rate = Number(flags.rate);
      if (!Number.isSafeInteger(events) || events < 1) {
        throw new FeatureflowError(
          'invalid_argument',
          `--events must be a whole number >= 1: got '${flags.events}'`,
        );
      }
      if (!Number.isFinite(rate) || rate < 0) {
        throw new FeatureflowError(
          'invalid_argument',
          `--rate must be events per second: got '${flags.rate}'`,
        );
      }
      const { runDemo } = await import('../../demo/run-demo.ts');
      const tty = process.stderr.isTTY;
      let lastPrinted = 0;
      await runDemo({
        events,
        ratePerSecond: rate,
        log: (line) => process.stderr.write(`${line}\n`),
        status: (line) => {
          if (tty) {
            process.stderr.write(`\r\x1b[2K${line}`);
          } else if (line && Date.now() - lastPrinted > 3_000) {
            lastPrinted = Date.now();
            process.stderr.write(`${line}\n`);
          }
        },
      });
    });
}
