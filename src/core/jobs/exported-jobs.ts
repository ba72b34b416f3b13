/**
 * The jobs a definitions module exports. Apart from the loader so that replay's window thread,
 * which loads the module again for its feature functions, bundles no more than this.
 */
import { FeatureflowError } from '../errors.ts';
import { type DefinedJob, isDefinedJob } from './define-job.ts';

/** The jobs a module exports: its default and named exports that are jobs or arrays of jobs. */
export function definedJobsOf(namespace: Record<string, unknown>, module: string): DefinedJob[] {
  const found = new Set<DefinedJob>();
  const visit = (value: unknown) => {
    if (isDefinedJob(value)) found.add(value);
    else if (Array.isArray(value)) for (const item of value) visit(item);
  };
  for (const value of Object.values(namespace)) {
    visit(value);
    // tsx hands a CommonJS-shaped module's exports over as `default`.
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !isDefinedJob(value)
    ) {
      for (const inner of Object.values(value)) visit(inner);
    }
  }
  if (found.size === 0) {
    throw new FeatureflowError(
      'invalid_argument',
      `definitions ${module} export no job (export the result of defineJob({...}), or an array of them)`,
      { context: { path: module } },
    );
  }
  return [...found];
}
