/**
 * What `up` started, kept in the run folder's stack.json: written after every service starts
 * (so an interrupted `up` can still be taken down), read by `down` and `status`.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { FeatureflowError } from '../core/errors.ts';
import type { RunLayout } from './run-folder.ts';

export const SERVICE_NAMES = [
  'redis',
  'kafka',
  'flink-jobmanager',
  'flink-taskmanager',
  'sql-gateway',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const serviceRecordSchema = z.object({
  name: z.enum(SERVICE_NAMES),
  title: z.string(),
  /** null: not ours (an external Redis given by REDIS_URL), never stopped by `down`. */
  pid: z.number().int().positive().nullable(),
  /** The process's start time (processes.ts): tells our process from a later one with its pid. */
  startTicks: z.string().nullable(),
  port: z.number().int(),
  endpoint: z.string(),
  logFiles: z.array(z.string()),
  startedAt: z.string(),
  readyMs: z.number().nullable(),
});
export type ServiceRecord = z.infer<typeof serviceRecordSchema>;

const stateSchema = z.object({
  version: z.literal(1),
  runDir: z.string(),
  homeDir: z.string(),
  startedAt: z.string(),
  /** False until every service is ready and the topics exist. */
  complete: z.boolean(),
  upMs: z.number().nullable(),
  endpoints: z.object({
    redisUrl: z.string(),
    kafkaBrokers: z.string(),
    flinkSqlGateway: z.string(),
    flinkWebUi: z.string(),
  }),
  services: z.array(serviceRecordSchema),
});
export type StackState = z.infer<typeof stateSchema>;

export function readStackState(layout: RunLayout): StackState | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(layout.stateFile, 'utf8'));
  } catch (error) {
    throw new FeatureflowError(
      'io_failed',
      `the stack state ${layout.stateFile} is not readable JSON: ${(error as Error).message} (stop the processes it listed by hand, then delete it)`,
      { cause: error },
    );
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new FeatureflowError(
      'failed_precondition',
      `the stack state ${layout.stateFile} was written by another featureflow version (${parsed.error.issues[0]?.message}); stop its processes by hand, then delete it`,
    );
  }
  return parsed.data;
}

/** Written to a temporary file and renamed, so a reader never sees half a state. */
export function writeStackState(layout: RunLayout, state: StackState): void {
  const temporary = `${layout.stateFile}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, layout.stateFile);
}

export function removeStackState(layout: RunLayout): void {
  rmSync(layout.stateFile, { force: true });
}
