/**
 * Starting and stopping the stack's processes by pid.
 *
 * Services are spawned detached (their own process group) with output to a file, so they
 * outlive `featureflow up` and a Ctrl-C in the user's terminal does not reach them. `down`
 * stops exactly those pids, and only after checking that each pid is still the process it
 * started (same start time): a pid reused by an unrelated process is left alone.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { FeatureflowError } from '../core/errors.ts';

export interface LaunchSpec {
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd: string;
  /** stdout and stderr go here (appended), so crashes before logging starts are kept. */
  outputFile: string;
}

export interface Launched {
  readonly pid: number;
  /** See processStartTicks; null where /proc is missing. */
  readonly startTicks: string | null;
  /** Set once the process has exited: its code or signal, for error messages. */
  exit(): string | undefined;
}

export function launchDetached(spec: LaunchSpec): Promise<Launched> {
  const fd = openSync(spec.outputFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    let exitText: string | undefined;
    child.on('exit', (code, signal) => {
      exitText = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
    return new Promise((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new FeatureflowError(
            error.code === 'ENOENT' ? 'failed_precondition' : 'io_failed',
            `could not start '${spec.command}': ${error.code === 'ENOENT' ? 'not installed or not on PATH' : error.message} (run .ci/install-stack.sh to install the stack's system packages)`,
            { cause: error, context: { command: spec.command } },
          ),
        ),
      );
      child.once('spawn', () => {
        // Let `up` exit while the service runs on; the exit listener still reports early deaths.
        child.unref();
        resolve({
          pid: child.pid!,
          startTicks: processStartTicks(child.pid!) ?? null,
          exit: () => exitText,
        });
      });
    });
  } finally {
    closeSync(fd);
  }
}

/** True while `pid` runs and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which is not one of ours either way.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (not Linux): kill(pid, 0) is all we can know.
    return true;
  }
}

/**
 * When the process started, in clock ticks since boot (/proc/PID/stat field 22), or undefined
 * without /proc. Together with the pid it names one process for good: a pid is reused, a
 * (pid, start time) pair is not. (The command line cannot serve: redis-server rewrites its own.)
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is still the process we started: alive, with the start time recorded at
 * launch. With no recorded start time (no /proc at launch), liveness is all we can check.
 */
export function isOurProcess(pid: number, startTicks: string | null): boolean {
  if (!isAlive(pid)) return false;
  if (startTicks === null) return true;
  return processStartTicks(pid) === startTicks;
}

export type StopOutcome = 'not-running' | 'terminated' | 'killed';

/**
 * SIGTERM (each service shuts down cleanly on it), then SIGKILL after `timeoutMs`; returns only
 * once the process is gone, so "down" means nothing of ours still runs.
 */
export async function stopProcess(pid: number, timeoutMs: number): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'not-running';
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, timeoutMs)) return 'terminated';
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, 10_000)) return 'killed';
  throw new FeatureflowError(
    'internal',
    `process ${pid} survived SIGKILL for 10 s (check 'ps -p ${pid}'; it may be stuck in the kernel)`,
    { context: { pid } },
  );
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}
