import { FeatureflowError } from '../errors.ts';

/**
 * A definition that cannot work, found when it is loaded: the job and the field are named, and
 * the CLI exits 2 with this one line.
 */
export function definitionError(
  job: string,
  message: string,
  context: Record<string, unknown> = {},
  cause?: unknown,
): FeatureflowError {
  return new FeatureflowError('invalid_argument', `job ${job}: ${message}`, {
    context: { job, ...context },
    ...(cause === undefined ? {} : { cause }),
  });
}
