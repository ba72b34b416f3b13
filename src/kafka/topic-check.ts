/**
 * A topic that does not exist is said at start, by name: subscribing to it would retry for
 * nothing. (A consumer's crashes are made fatal in group-consumer.ts.)
 */
import { FeatureflowError } from '../core/errors.ts';
import type { KafkaAdmin } from './kafka-types.ts';

/** Fails with the missing topics' names. */
export async function assertTopicsExist(
  admin: KafkaAdmin,
  topics: readonly string[],
  brokers: readonly string[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new FeatureflowError(
      'failed_precondition',
      `topic ${missing.join(', ')} does not exist at ${brokers.join(',')} (create it, e.g. 'featureflow up' creates the jobs' topics, or name another with --topic / --topics)`,
      { context: { topics: missing } },
    );
  }
}
