/**
 * What a definitions module may use of featureflow at run time, apart from the full public API
 * (src/index.ts): replay's window thread bundles a user's definitions with `featureflow`
 * resolved to this file, so that it loads the job's feature function and nothing of Kafka,
 * Redis or gRPC. Types come from the full API either way.
 */
export { defineJob } from '../core/jobs/define-job.ts';
export { countDistinct } from '../core/processors/distinct-count.ts';
