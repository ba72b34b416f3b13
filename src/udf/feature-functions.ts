/**
 * The feature functions the UDF service offers: one per registered job, the same function
 * replay and the consumer runtime call, its signature derived from the job's definition (the
 * fields it reads, the feature row's schema). A job of one's own is offered by starting the
 * service with its definitions.
 */
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { builtInJobRegistry } from '../core/jobs/load-definitions.ts';
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
    resultSchema: job.featureSchema,
    resultSchemaSource: job.featureSchemaSource,
    compute: (events, window) => job.computeFeatures(events, window),
  });
}
