/**
 * The feature functions the UDF service offers: one per registered job, the same function
 * replay and the consumer runtime call, its signature derived from the job's definition (the
 * fields it reads, the feature row's schema). A job of one's own is offered by starting the
 * service with its definitions.
 */
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { builtInJobRegistry } from '../core/jobs/load-definitions.ts';
import { checkField } from '../core/models/event-validation.ts';
import { defineWindowFunction, type WindowFunction } from './window-function.ts';

export function featureFunctions(jobs: JobRegistry = builtInJobRegistry()): WindowFunction[] {
  return jobs.jobs.map(windowFunctionOf);
}

export function windowFunctionOf(job: JobDefinition): WindowFunction {
  return defineWindowFunction<Record<string, unknown>>({
    name: job.functionName,
    doc: job.doc,
    entityArgument: job.entityField,
    eventSchema: job.eventSchema,
    eventSchemaSource: job.eventSchemaSource,
    eventFields: job.windowEventFields.map((field) => field.name),
    eventRules: jobRulesOf(job),
    resultSchema: job.featureSchema,
    resultSchemaSource: job.featureSchemaSource,
    compute: (events, window) => job.computeFeatures(events, window),
  });
}

/** The job's own rules (beyond the schema's) of the fields the function reads, as the
 * validator states them: an event the validator dead-letters fails its window here too. */
function jobRulesOf(job: JobDefinition): Record<string, (value: unknown) => string | undefined> {
  const reads = new Set(job.windowEventFields.map((field) => field.name));
  const rules: Record<string, (value: unknown) => string | undefined> = {};
  for (const rule of job.fieldRules) {
    if (rule.constraint === undefined || !reads.has(rule.name)) continue;
    rules[rule.name] = (value) => {
      const problem = checkField(rule, value);
      return problem && `${problem.message} (invalid: ${problem.reason})`;
    };
  }
  return rules;
}
