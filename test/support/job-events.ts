/**
 * Events of any registered job, derived from its rules: fast-check arbitraries of valid events
 * and of the window events its feature function reads. Tests loop over every job with these
 * instead of keeping a list of fields per job.
 */
import fc from 'fast-check';
import type { JobDefinition } from '../../src/core/jobs/job-definition.ts';
import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import type { FieldRule } from '../../src/core/models/event-validation.ts';

export const BUILT_IN = builtInJobRegistry();
export const TRANSACTIONS = BUILT_IN.get('transactions');
export const CLICKSTREAM = BUILT_IN.get('clickstream');

const STRINGS = ['a-1', 'a-2', 'm-3', 'NL', 'BR', '/p'];

/** Valid values of one field, a few distinct ones so that distinct counts vary. */
export function validValueOf(field: FieldRule): fc.Arbitrary<unknown> {
  const { rule, constraint } = field;
  switch (rule.kind) {
    case 'string':
      return constraint?.length === undefined
        ? fc.constantFrom(...STRINGS)
        : fc
            .constantFrom('EUR', 'USD', 'X'.repeat(constraint.length))
            .map((s) => (s.length === constraint.length ? s : 'X'.repeat(constraint.length ?? 0)));
    case 'enum':
      return fc.constantFrom(...rule.symbols);
    case 'optional_string':
      return fc.option(fc.constantFrom(...STRINGS), { nil: null });
    case 'double':
      return fc.oneof(
        fc.integer({ min: -1e6, max: 1e8 }).map((c) => c / 100),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
      );
    case 'long':
      return fc.integer({ min: -1e9, max: 1e9 });
    case 'timestamp':
      return fc.integer({ min: 0, max: 2e12 });
    case 'boolean':
      return fc.boolean();
  }
}

/** A valid event of `job`, its fields in schema order. */
export function validEventOf(job: JobDefinition): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(...job.fieldRules.map(validValueOf))
    .map((values) => Object.fromEntries(job.fieldRules.map((field, i) => [field.name, values[i]])));
}

/** A window event of `job`: the fields its function reads, with valid values. */
export function windowEventOf(job: JobDefinition): fc.Arbitrary<Record<string, unknown>> {
  const byName = new Map(job.fieldRules.map((field) => [field.name, field]));
  const fields = job.windowEventFields.map((field) => byName.get(field.name)!);
  return fc
    .tuple(...fields.map(validValueOf))
    .map((values) => Object.fromEntries(fields.map((field, i) => [field.name, values[i]])));
}

export const TRANSACTION_FEATURE_NAMES = TRANSACTIONS.featureNames;
export const CLICKSTREAM_FEATURE_NAMES = CLICKSTREAM.featureNames;
/** Each built-in job's generated reader of a row's numbers, by job name. */
export const FEATURE_ROW_NUMBERS = Object.fromEntries(
  BUILT_IN.jobs.map((job) => [job.name, job.featureRowNumbers]),
);
