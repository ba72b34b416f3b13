/**
 * `featureflow down`: stops exactly the processes stack.json lists, newest first (the SQL
 * Gateway before the cluster it talks to, Kafka before nothing needs it), waits until each has
 * exited, and only then forgets them.
 */
import { rmSync } from 'node:fs';
import { FeatureflowError } from '../core/errors.ts';
import { isAlive, isOurProcess, type StopOutcome, stopProcess } from './processes.ts';
import { dataDirsOf, runLayout } from './run-folder.ts';
import { readStackState, removeStackState, type StackState } from './stack-state.ts';

export interface DownOptions {
  stopTimeoutMs: number;
  /** Also delete the data (Kafka logs, checkpoints, Redis): the next `up` starts empty. */
  purge?: boolean;
  report: (line: string) => void;
}

export interface StoppedService {
  readonly name: string;
  readonly pid: number;
  readonly outcome: StopOutcome | 'not-ours';
  readonly ms: number;
}

export interface DownResult {
  /** False when the run folder had no stack to stop. */
  readonly found: boolean;
  readonly stopped: readonly StoppedService[];
  readonly totalMs: number;
}

export async function stackDown(runDir: string, options: DownOptions): Promise<DownResult> {
  const startedAt = performance.now();
  const layout = runLayout(runDir);
  const state = readStackState(layout);
  let stopped: StoppedService[] = [];
  if (state) {
    stopped = await stopRecordedServices(state, options.stopTimeoutMs, options.report);
    const survivors = state.services.filter(
      (service) => service.pid !== null && isOurProcess(service.pid, service.startTicks),
    );
    if (survivors.length > 0) {
      throw new FeatureflowError(
        'internal',
        `still running after down: ${survivors.map((s) => `${s.name} pid ${s.pid}`).join(', ')} (stack.json kept; stop them by pid and run down again)`,
      );
    }
    removeStackState(layout);
  }
  if (options.purge) {
    for (const dir of dataDirsOf(layout)) rmSync(dir, { recursive: true, force: true });
    options.report(`purged the data under ${layout.root}`);
  }
  return {
    found: state !== undefined,
    stopped,
    totalMs: Math.round(performance.now() - startedAt),
  };
}

/** Stops the recorded services in reverse start order; shared with `up`'s cleanup. */
export async function stopRecordedServices(
  state: StackState,
  stopTimeoutMs: number,
  report: (line: string) => void,
): Promise<StoppedService[]> {
  const results: StoppedService[] = [];
  for (const service of [...state.services].reverse()) {
    if (service.pid === null) continue;
    const started = performance.now();
    let outcome: StoppedService['outcome'];
    if (!isAlive(service.pid)) {
      outcome = 'not-running';
    } else if (!isOurProcess(service.pid, service.startTicks)) {
      // The pid now belongs to something else (the stack died and the pid was reused).
      outcome = 'not-ours';
    } else {
      outcome = await stopProcess(service.pid, stopTimeoutMs);
    }
    const ms = Math.round(performance.now() - started);
    results.push({ name: service.name, pid: service.pid, outcome, ms });
    report(
      `${service.title} (pid ${service.pid}): ${describeOutcome(outcome, stopTimeoutMs)} in ${(ms / 1000).toFixed(1)} s`,
    );
  }
  return results;
}

function describeOutcome(outcome: StoppedService['outcome'], stopTimeoutMs: number): string {
  switch (outcome) {
    case 'terminated':
      return 'stopped';
    case 'killed':
      return `killed after not stopping within ${Math.round(stopTimeoutMs / 1000)} s of SIGTERM`;
    case 'not-running':
      return 'was not running';
    case 'not-ours':
      return 'pid now belongs to another program: left alone';
  }
}
