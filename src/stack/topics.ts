/**
 * The stack's topics (DESIGN section 8): the event topics, the feature topics, and beside each
 * its `.late` (late events) and `.dlq` (invalid messages, with the reason in headers) topic.
 */
import type { TopicSpec } from './kafka-admin.ts';

export const STACK_TOPIC_PARTITIONS = 3;

export const BASE_TOPICS = Object.freeze([
  'txn.events',
  'click.events',
  'features.transactions',
  'features.clickstream',
] as const);

export const STACK_TOPICS: readonly TopicSpec[] = Object.freeze(
  BASE_TOPICS.flatMap((topic) =>
    [topic, `${topic}.late`, `${topic}.dlq`].map((name) =>
      Object.freeze({ name, partitions: STACK_TOPIC_PARTITIONS }),
    ),
  ),
);
