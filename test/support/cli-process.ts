/** A long-running `featureflow` child (consume, sink, udf-server) that a test can kill. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { FEATUREFLOW_BIN } from './run-cli.ts';

export interface CliProcess {
  child: ChildProcess;
  /** stderr so far. */
  output(): string;
  /** SIGTERM (graceful) or SIGKILL (a crash); resolves with the exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** Resolves with the exit code (or signal) once the process ends by itself. */
  exited(): Promise<number | string>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [FEATUREFLOW_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    output: () => output,
    async exited() {
      const [code, killedBy] = await exited;
      return code ?? killedBy ?? 'unknown';
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code, killedBy] = await exited;
      return code ?? killedBy ?? 'unknown';
    },
  };
}

/**
 * Starts CLI processes for the tests of one file and, after each test, kills what is left;
 * when a test failed, their output is printed first, since it usually says why.
 */
export function trackCliProcesses(
  afterEachHook: (
    hook: (context: { task: { result?: { state?: string } } }) => Promise<void>,
  ) => void,
) {
  const started: CliProcess[] = [];
  afterEachHook(async (context) => {
    if (context.task.result?.state === 'fail') {
      for (const process of started) {
        console.error(`--- ${process.child.spawnargs.slice(2).join(' ')}\n${process.output()}`);
      }
    }
    for (const process of started.splice(0)) await process.stop('SIGKILL');
  });
  return (args: readonly string[], env: NodeJS.ProcessEnv): CliProcess => {
    const process = startCli(args, env);
    started.push(process);
    return process;
  };
}
