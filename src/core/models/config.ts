/**
 * Configuration of the feature logic and of a feature job, with the one resolver that fills
 * defaults from flags and the environment, validates, and freezes (STYLE rule 5).
 */
import { z } from 'zod';
import { FeatureflowError } from '../errors.ts';
import { parseDurationMs } from '../utils/durations.ts';

/** What the feature functions need beyond the events (DESIGN section 6). */
export interface ProcessorConfig {
  readonly velocityThresholdPerMinute: number;
  readonly highAmountThreshold: number;
}

export const DEFAULT_PROCESSOR_CONFIG: ProcessorConfig = Object.freeze({
  velocityThresholdPerMinute: 2.0,
  highAmountThreshold: 1000.0,
});

export const JOBS = ['transactions', 'clickstream'] as const;
export type JobName = (typeof JOBS)[number];

/** A feature job: which events, which windows, how much disorder (DESIGN section 5). */
export interface FeatureJobConfig {
  readonly job: JobName;
  readonly windowSizeMs: number;
  readonly slideMs: number;
  readonly maxOutOfOrdernessMs: number;
  /** A partition with no events for this long no longer holds the watermark back. */
  readonly idleTimeoutMs: number;
  readonly processor: ProcessorConfig;
}

export interface FeatureJobFlags {
  job?: string | undefined;
  window?: string | undefined;
  slide?: string | undefined;
  maxOutOfOrderness?: string | undefined;
  idleTimeout?: string | undefined;
}

export const JOB_DEFAULTS = Object.freeze({
  window: '5m',
  slide: '1m',
  maxOutOfOrderness: '5s',
  idleTimeout: '30s',
});

const jobConfigSchema = z
  .object({
    job: z.enum(JOBS),
    windowSizeMs: z.number().int().positive(),
    slideMs: z.number().int().positive(),
    maxOutOfOrdernessMs: z.number().int().nonnegative(),
    idleTimeoutMs: z.number().int().positive(),
  })
  .refine((c) => c.windowSizeMs / c.slideMs <= 10_000, {
    message: 'window / slide is over 10000 (every event would join more than 10000 windows)',
  });

/**
 * Flags win over the environment (FEATUREFLOW_WINDOW, FEATUREFLOW_SLIDE,
 * FEATUREFLOW_MAX_OUT_OF_ORDERNESS, FEATUREFLOW_IDLE_TIMEOUT), which wins over the defaults.
 */
export function resolveFeatureJobConfig(
  flags: FeatureJobFlags,
  env: NodeJS.ProcessEnv = process.env,
): FeatureJobConfig {
  const job = flags.job;
  if (!job || !(JOBS as readonly string[]).includes(job)) {
    throw new FeatureflowError(
      'invalid_argument',
      `--job must be transactions or clickstream: got '${job ?? ''}'`,
      { context: { flag: '--job', value: job } },
    );
  }
  const candidate = {
    job,
    windowSizeMs: parseDurationMs(
      flags.window ?? env.FEATUREFLOW_WINDOW ?? JOB_DEFAULTS.window,
      '--window',
    ),
    slideMs: parseDurationMs(flags.slide ?? env.FEATUREFLOW_SLIDE ?? JOB_DEFAULTS.slide, '--slide'),
    maxOutOfOrdernessMs: parseDurationMs(
      flags.maxOutOfOrderness ??
        env.FEATUREFLOW_MAX_OUT_OF_ORDERNESS ??
        JOB_DEFAULTS.maxOutOfOrderness,
      '--max-out-of-orderness',
    ),
    idleTimeoutMs: parseDurationMs(
      flags.idleTimeout ?? env.FEATUREFLOW_IDLE_TIMEOUT ?? JOB_DEFAULTS.idleTimeout,
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
  return Object.freeze({ ...parsed.data, processor: DEFAULT_PROCESSOR_CONFIG });
}
