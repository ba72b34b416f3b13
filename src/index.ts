/**
 * featureflow's public API: what a project that depends on featureflow imports. A job of one's
 * own is a `defineJob({...})` exported from a definitions module, loaded with
 * `--definitions <path>` or FEATUREFLOW_DEFINITIONS.
 */
export {
  type DefinedJob,
  defineJob,
  type FeatureSpec,
  type FeatureType,
  type FeatureValues,
  type FieldConstraint,
  type JobSpec,
  type SampleEvent,
  type SampleRandom,
} from './core/jobs/define-job.ts';
export type { JobDefinition, WindowedFeatureRow } from './core/jobs/job-definition.ts';
export type { JobRegistry } from './core/jobs/job-registry.ts';
export { loadJobRegistry } from './core/jobs/load-definitions.ts';
export { countDistinct } from './core/processors/distinct-count.ts';
export type { WindowContext } from './core/processors/window-context.ts';
