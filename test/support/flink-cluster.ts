/**
 * The shared stack's Flink cluster seen from a test: free slots, where a job's subtasks run,
 * whether every subtask runs, and a TaskManager killed -9 (then restored by `featureflow up`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './kafka.ts';
import { runCli } from './run-cli.ts';
import type { StackEndpoints } from './stack-endpoints.ts';

interface JobDetails {
  state: string;
  vertices: { id: string; name: string; parallelism: number; status: string }[];
}

interface StackServiceRecord {
  name: string;
  pid: number | null;
  resourceId?: string;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function jobDetails(stack: StackEndpoints, jobId: string): Promise<JobDetails> {
  return getJson<JobDetails>(`${stack.flinkWebUi}/jobs/${jobId}`);
}

/** Slots of the whole cluster, and how many are free. */
export async function slots(stack: StackEndpoints): Promise<{ total: number; free: number }> {
  const overview = await getJson<{ 'slots-total': number; 'slots-available': number }>(
    `${stack.flinkWebUi}/overview`,
  );
  return { total: overview['slots-total'], free: overview['slots-available'] };
}

/** Waits until `count` slots are free: a job at parallelism `count` can be scheduled. */
export async function waitForFreeSlots(stack: StackEndpoints, count: number): Promise<void> {
  await waitFor(`${count} free Flink slots`, 60_000, async () =>
    (await slots(stack)).free >= count ? true : undefined,
  );
}

/** The resource ids of the TaskManagers running a subtask of the job. */
export async function taskManagersOfJob(
  stack: StackEndpoints,
  jobId: string,
): Promise<Set<string>> {
  const job = await jobDetails(stack, jobId);
  const ids = new Set<string>();
  for (const vertex of job.vertices) {
    const hosts = await getJson<{ taskmanagers: { 'taskmanager-id': string }[] }>(
      `${stack.flinkWebUi}/jobs/${jobId}/vertices/${vertex.id}/taskmanagers`,
    );
    for (const host of hosts.taskmanagers) ids.add(host['taskmanager-id']);
  }
  return ids;
}

/** True when the job and every one of its vertices are RUNNING (not restarting, not waiting). */
export async function allTasksRunning(stack: StackEndpoints, jobId: string): Promise<boolean> {
  try {
    const job = await jobDetails(stack, jobId);
    return job.state === 'RUNNING' && job.vertices.every((v) => v.status === 'RUNNING');
  } catch {
    // The JobManager answers nothing useful for a moment while the job restarts.
    return false;
  }
}

/** Restarts of the job so far (Flink's numRestarts metric). */
export async function jobRestarts(stack: StackEndpoints, jobId: string): Promise<number> {
  const metrics = await getJson<{ id: string; value: string }[]>(
    `${stack.flinkWebUi}/jobs/${jobId}/metrics?get=numRestarts`,
  );
  return Number(metrics[0]?.value ?? 0);
}

function stackServices(stack: StackEndpoints): StackServiceRecord[] {
  const state = JSON.parse(readFileSync(join(stack.runDir, 'stack.json'), 'utf8')) as {
    services: StackServiceRecord[];
  };
  return state.services;
}

/** Kills -9 the TaskManager JVM registered as `resourceId`; returns when it was killed. */
export function killTaskManager(stack: StackEndpoints, resourceId: string): number {
  const record = stackServices(stack).find((service) => service.resourceId === resourceId);
  if (!record?.pid) throw new Error(`no TaskManager ${resourceId} in ${stack.runDir}/stack.json`);
  process.kill(record.pid, 'SIGKILL');
  return Date.now();
}

/** Kills -9 one service of the stack by its name in stack.json (`kafka`, `redis`...). */
export function killService(stack: StackEndpoints, name: string): number {
  const record = stackServices(stack).find((service) => service.name === name);
  if (!record?.pid) throw new Error(`no service ${name} in ${stack.runDir}/stack.json`);
  process.kill(record.pid, 'SIGKILL');
  return Date.now();
}

/** `featureflow up` on the shared stack's run folder: starts what is missing. */
export async function upMissing(stack: StackEndpoints): Promise<string> {
  const result = await runCli(['up'], {
    FEATUREFLOW_RUN_DIR: stack.runDir,
    REDIS_URL: undefined,
    KAFKA_BROKERS: undefined,
    FLINK_SQL_GATEWAY: undefined,
  });
  if (result.code !== 0) throw new Error(`featureflow up failed:\n${result.stderr}`);
  return result.stdout + result.stderr;
}
