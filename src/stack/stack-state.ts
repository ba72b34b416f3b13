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
/** The first TaskManager is `flink-taskmanager`; the k-th of several `flink-taskmanager-k`. */
export type ServiceName = (typeof SERVICE_NAMES)[number] | `flink-taskmanager-${number}`;

const serviceNameSchema = z.union([
  z.enum(SERVICE_NAMES),
  z.custom<`flink-taskmanager-${number}`>(
    (value) => typeof value === 'string' && /^flink-taskmanager-\d+$/.test(value),
    'expected flink-taskmanager-<n>',
  ),
]);

/** The settings a stack was started with: what `up` restarts missing services with. */
const settingsSchema = z.object({
  ports: z.record(z.string(), z.number().int()),
  externalRedisUrl: z.string().optional(),
  taskManagers: z.number().int().positive(),
  taskSlots: z.number().int().positive(),
  partitions: z.number().int().positive(),
});
export type StackSettings = z.infer<typeof settingsSchema>;

const serviceRecordSchema = z.object({
  name: serviceNameSchema,
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
  /** A TaskManager's resource id, unique per start: how probes find this very JVM. */
  resourceId: z.string().optional(),
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
  /** Absent in stacks started by older versions: those cannot be completed by `up`. */
  settings: settingsSchema.optional(),
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
