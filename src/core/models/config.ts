/**
 * Configuration of a feature job, with the one resolver that fills defaults from flags, the
 * environment and the job's definition, validates, and freezes.
 */
import { z } from 'zod';
import { FeatureflowError } from '../errors.ts';
import type { JobDefinition } from '../jobs/job-definition.ts';
import type { JobRegistry } from '../jobs/job-registry.ts';
import { parseDurationMs } from '../utils/durations.ts';

/** A feature job: which events, which windows, how much disorder. */
export interface FeatureJobConfig {
  readonly job: JobDefinition;
  readonly windowSizeMs: number;
  readonly slideMs: number;
  readonly maxOutOfOrdernessMs: number;
  /** A partition with no events for this long no longer holds the watermark back. */
  readonly idleTimeoutMs: number;
}

export interface FeatureJobFlags {
  job?: string | undefined;
  window?: string | undefined;
  slide?: string | undefined;
  maxOutOfOrderness?: string | undefined;
  idleTimeout?: string | undefined;
}

/** The idle timeout when neither a flag nor the environment sets one. */
export const DEFAULT_IDLE_TIMEOUT = '30s';

const jobConfigSchema = z
  .object({
    windowSizeMs: z.number().int().positive(),
    slideMs: z.number().int().positive(),
    maxOutOfOrdernessMs: z.number().int().nonnegative(),
    idleTimeoutMs: z.number().int().positive(),
  })
  // Flink's HOP window refuses a size that is not a whole multiple of the slide (it cannot
  // cut such windows into panes); refusing it here keeps every runtime to what Flink runs.
  // A slide longer than the window would also leave gaps no window covers.
  .refine((c) => c.windowSizeMs % c.slideMs === 0, {
    message:
      'the window must be a positive whole multiple of the slide, as Flink HOP windows require (e.g. --window 6m --slide 2m)',
  })
  .refine((c) => c.windowSizeMs / c.slideMs <= 10_000, {
    message: 'window / slide is over 10000 (every event would join more than 10000 windows)',
  });

/**
 * Flags win over the environment (FEATUREFLOW_WINDOW, FEATUREFLOW_SLIDE,
 * FEATUREFLOW_MAX_OUT_OF_ORDERNESS, FEATUREFLOW_IDLE_TIMEOUT), which wins over the job's
 * definition.
 */
export function resolveFeatureJobConfig(
  flags: FeatureJobFlags,
  jobs: JobRegistry,
  env: NodeJS.ProcessEnv = process.env,
): FeatureJobConfig {
  const job = jobs.get(flags.job);
  const defaults = job.windowDefaults;
  const candidate = {
    windowSizeMs: parseDurationMs(
      flags.window ?? env.FEATUREFLOW_WINDOW ?? defaults.size,
      '--window',
    ),
    slideMs: parseDurationMs(flags.slide ?? env.FEATUREFLOW_SLIDE ?? defaults.slide, '--slide'),
    maxOutOfOrdernessMs: parseDurationMs(
      flags.maxOutOfOrderness ?? env.FEATUREFLOW_MAX_OUT_OF_ORDERNESS ?? defaults.maxOutOfOrderness,
      '--max-out-of-orderness',
    ),
    idleTimeoutMs: parseDurationMs(
      flags.idleTimeout ?? env.FEATUREFLOW_IDLE_TIMEOUT ?? DEFAULT_IDLE_TIMEOUT,
      '--idle-timeout',
    ),
  };
  const parsed = jobConfigSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FeatureflowError(
      'invalid_argument',
      `window configuration is unusable: window ${candidate.windowSizeMs} ms, slide ${candidate.slideMs} ms (${issue.message})`,
      { context: { ...candidate } },
    );
  }
  return Object.freeze({ job, ...parsed.data });
}
