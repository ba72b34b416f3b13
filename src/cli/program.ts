/**
 * The `featureflow` command line: one program, one sub-command per file in ./commands.
 * Every command reports failures the same way (see `runCli`), so a user always gets one clear
 * line and a non-zero exit code instead of a stack trace.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FeatureflowError } from '../core/errors.ts';

// One entry per sub-command module; each exports `register(program)`.
const COMMAND_MODULES: readonly string[] = [
  './commands/replay.ts',
  './commands/generate.ts',
  './commands/features.ts',
  './commands/produce.ts',
  './commands/submit.ts',
  './commands/consume.ts',
  './commands/sink.ts',
  './commands/demo.ts',
  './commands/up.ts',
  './commands/down.ts',
  './commands/status.ts',
  './commands/udf-server.ts',
  './commands/functions.ts',
];

export async function buildProgram(): Promise<Command> {
  const program = new Command('featureflow')
    .description('Real-time feature engineering: Flink SQL windows, TypeScript features, Redis')
    .version(packageVersion(), '-V, --version', 'print the featureflow version')
    .showHelpAfterError()
    .exitOverride();
  for (const modulePath of COMMAND_MODULES) {
    const module = (await import(modulePath)) as { register(program: Command): void };
    module.register(program);
  }
  for (const command of program.commands) writeHelpOneWay(command);
  return program;
}

function packageVersion(): string {
  const path = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/**
 * Help says every option the same way: a required one ends in "(required)", and a default
 * reads "(default: value)" whether commander fills it or the command does.
 */
function writeHelpOneWay(command: Command): void {
  for (const option of command.options) {
    if (option.mandatory && !option.description.endsWith('(required)')) {
      option.description = `${option.description} (required)`;
    }
    if (option.defaultValue !== undefined && option.defaultValueDescription === undefined) {
      option.defaultValueDescription = String(option.defaultValue);
    }
  }
  for (const sub of command.commands) writeHelpOneWay(sub);
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message (or the help text).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof FeatureflowError) {
      process.stderr.write(`featureflow: ${error.message}\n`);
      return error.code === 'invalid_argument' ? 2 : 1;
    }
    process.stderr.write(
      `featureflow: unexpected failure (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
