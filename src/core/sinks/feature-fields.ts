/**
 * The layout of an entity's feature hash `features:<entityType>:<id>`, stated once for the
 * writer (window-batch.ts) and the reader (feature-store.ts). Several jobs may share an entity
 * type (clickstream and a user's logins job both write `features:user:<id>`); each job's
 * windows live under their own field names, so jobs never overwrite or block each other:
 *
 *   built-in jobs (src/jobs/):  <feature>_<label>        window_start_<label>        window_end_<label>
 *   every other job:            <job>:<feature>_<label>  <job>:window_start_<label>  <job>:window_end_<label>
 *
 * The built-in jobs keep the bare names they have always had (`txn_count_5m`), so readers of
 * those fields need no change. Job names are snake_case, so ':' cannot be part of one.
 */
import { isBuiltInJob } from '../jobs/load-definitions.ts';

/** The Redis key family of an entity: `features:card:<id>`, `features:user:<id>`. */
export function featureKey(entityType: string, entityId: string): string {
  return `features:${entityType}:${entityId}`;
}

export const JOB_FIELD_SEPARATOR = ':';

/** What names a job's fields: its name, and its module (which tells a built-in job apart). */
export interface FieldOwner {
  readonly name: string;
  readonly module: string;
}

/** '' for a built-in job, `<job>:` for any other. */
export function jobFieldPrefix(job: FieldOwner): string {
  return isBuiltInJob(job) ? '' : `${job.name}${JOB_FIELD_SEPARATOR}`;
}

/** The field names of one job's windows of one label. */
export interface LabelFields {
  readonly label: string;
  readonly startField: string;
  readonly endField: string;
  /** `<prefix><feature>_<label>`, in the order of `featureNames`. */
  readonly fields: readonly string[];
}

export function labelFields(
  prefix: string,
  label: string,
  featureNames: readonly string[],
): LabelFields {
  return {
    label,
    startField: `${prefix}window_start_${label}`,
    endField: `${prefix}window_end_${label}`,
    fields: featureNames.map((name) => `${prefix}${name}_${label}`),
  };
}
