/**
 * The stack's topics: each job's events and feature topics, and beside each its `.late` (late
 * events) and `.dlq` (invalid messages, with the reason in headers) topic.
 */
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import type { TopicSpec } from './kafka-admin.ts';
import { STACK_DEFAULTS } from './stack-config.ts';

/** The topics `up` creates for `jobs`: every events topic, then every feature topic. */
export function stackTopics(
  jobs: JobRegistry,
  partitions: number = STACK_DEFAULTS.partitions,
): readonly TopicSpec[] {
  const base = [
    ...jobs.jobs.map((job) => job.topics.events),
    ...jobs.jobs.map((job) => job.topics.features),
  ];
  return Object.freeze(
    base.flatMap((topic) =>
      [topic, `${topic}.late`, `${topic}.dlq`].map((name) => Object.freeze({ name, partitions })),
    ),
  );
}
