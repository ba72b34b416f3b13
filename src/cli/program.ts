/**
 * The `featureflow` command line: one program, one sub-command per file in ./commands.
 * Every command reports failures the same way (see `runCli`), so a user always gets one clear
 * line and a non-zero exit code instead of a stack trace.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FeatureflowError } from '../core/errors.ts';

// The sub-commands and the module of each; a module exports `register(program)`. A run loads
// only the module of the command it runs, so `featureflow replay --help` does not pay for the
// other commands' imports; the top-level help loads them all.
const COMMAND_MODULES: Readonly<Record<string, string>> = {
  replay: './commands/replay.ts',
  generate: './commands/generate.ts',
  features: './commands/features.ts',
  produce: './commands/produce.ts',
  submit: './commands/submit.ts',
  jobs: './commands/submit.ts',
  cancel: './commands/submit.ts',
  sql: './commands/sql.ts',
  consume: './commands/consume.ts',
  sink: './commands/sink.ts',
  demo: './commands/demo.ts',
  up: './commands/up.ts',
  down: './commands/down.ts',
  status: './commands/status.ts',
  'udf-server': './commands/udf-server.ts',
  functions: './commands/functions.ts',
};

/** The program; with `argv`, only the command it names (all of them when it names none). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('featureflow')
    .description('Real-time feature engineering: Flink SQL windows, TypeScript features, Redis')
    .version(packageVersion(), '-V, --version', 'print the featureflow version')
    .showHelpAfterError()
    .exitOverride();
  const named = argv[0] !== undefined ? COMMAND_MODULES[argv[0]] : undefined;
  const modules = named !== undefined ? [named] : [...new Set(Object.values(COMMAND_MODULES))];
  for (const modulePath of modules) {
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
  const program = await buildProgram(argv);
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
