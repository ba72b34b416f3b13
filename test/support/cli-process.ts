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
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code, killedBy] = await exited;
      return code ?? killedBy ?? 'unknown';
    },
  };
}
