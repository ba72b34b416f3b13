/** Runs the real `featureflow udf-server` in a child process and learns its address. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { FEATUREFLOW_BIN } from './run-cli.ts';

export interface UdfServerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly metricsUrl: string | undefined;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM (unless already sent), then the exit code. */
  stop(): Promise<number | null>;
}

const LISTENING = /udf-server: listening on (\S+?),.* metrics (\S+)/;

export interface UdfServerProcessOptions {
  /** The server's environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

export async function startUdfServerProcess(
  args: readonly string[] = [],
  { env = process.env, timeoutMs = 30_000 }: UdfServerProcessOptions = {},
): Promise<UdfServerProcess> {
  const child = spawn(
    process.execPath,
    [FEATUREFLOW_BIN, 'udf-server', '--udf-address', '127.0.0.1:0', '--metrics-port', '0', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env },
  );
  let stderr = '';
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const listening = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`udf-server did not start within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = LISTENING.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`udf-server exited with ${code} before listening: ${stderr}`));
    });
  });
  return {
    child,
    address: listening[1]!,
    metricsUrl: listening[2] === 'off' ? undefined : listening[2],
    stderr: () => stderr,
    async stop() {
      // Once only: a second SIGTERM tells the server to stop draining and close at once.
      if (child.exitCode === null && child.signalCode === null && !child.killed) {
        child.kill('SIGTERM');
      }
      const [code] = await exited;
      return code;
    },
  };
}
