/**
 * The few Kafka admin calls the stack launcher makes, behind one small adapter: kafkajs is
 * unmaintained since 2023, so its API stays out of the rest of the launcher.
 */
import type { Admin } from 'kafkajs';
import { describeError, FeatureflowError } from '../core/errors.ts';
import kafkajs from '../kafka/kafkajs.ts';

const { Kafka, logLevel } = kafkajs;

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

function adminClient(brokers: readonly string[], timeoutMs: number) {
  const kafka = new Kafka({
    clientId: 'featureflow-stack',
    brokers: [...brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    // The caller polls and decides; kafkajs's own retries would only hide the first answer.
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  return kafka.admin();
}

async function withAdmin<T>(
  brokers: readonly string[],
  timeoutMs: number,
  work: (admin: ReturnType<typeof adminClient>) => Promise<T>,
): Promise<T> {
  const admin = adminClient(brokers, timeoutMs);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function describeKafka(
  brokers: readonly string[],
  timeoutMs: number,
): Promise<{ brokers: number; controller: number | null; clusterId: string }> {
  return withAdmin(brokers, timeoutMs, async (admin) => {
    const cluster = await admin.describeCluster();
    return {
      brokers: cluster.brokers.length,
      controller: cluster.controller,
      clusterId: cluster.clusterId,
    };
  });
}

/**
 * Creates topics and polls their metadata until every partition has a leader. kafkajs's own
 * `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a Kafka 4 broker answers
 * UNKNOWN_TOPIC_OR_PARTITION ("does not host this topic-partition") for a moment after the
 * creation, which kafkajs throws: so the wait is done here, retrying any metadata error.
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  topics: readonly { topic: string; numPartitions: number }[],
  timeoutMs: number,
): Promise<void> {
  await admin.createTopics({
    topics: topics.map((topic) => ({ ...topic, replicationFactor: 1 })),
    waitForLeaders: false,
    timeout: timeoutMs,
  });
  const names = topics.map((topic) => topic.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problem = await admin.fetchTopicMetadata({ topics: names }).then(
      (metadata) =>
        metadata.topics.some((topic) => topic.partitions.some((partition) => partition.leader < 0))
          ? 'a partition has no leader yet'
          : undefined,
      (error: unknown) => describeError(error),
    );
    if (problem === undefined) return;
    if (Date.now() > deadline) {
      throw new FeatureflowError(
        'unavailable',
        `topics ${names.join(', ')} have no leader for every partition after ${timeoutMs} ms: ${problem} (check the broker's log)`,
        { retriable: true },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Creates the topics that do not exist yet (idempotent: a restarted stack keeps its topics),
 * and fails when an existing one has fewer partitions than asked, since keyed order and
 * parallelism both depend on the count.
 */
export async function ensureTopics(
  brokers: readonly string[],
  topics: readonly TopicSpec[],
  timeoutMs: number,
): Promise<{ created: string[]; existing: string[] }> {
  return withAdmin(brokers, timeoutMs, async (admin) => {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !present.has(topic.name));
    if (missing.length > 0) {
      await createTopicsWithLeaders(
        admin,
        missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions })),
        timeoutMs,
      );
    }
    const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
    for (const topic of topics) {
      const found = metadata.topics.find((t) => t.name === topic.name);
      const count = found?.partitions.length ?? 0;
      if (count < topic.partitions) {
        throw new FeatureflowError(
          'failed_precondition',
          `topic ${topic.name} has ${count} partitions, fewer than the ${topic.partitions} the stack needs (delete it, or purge the stack with 'featureflow down --purge')`,
          { context: { topic: topic.name, partitions: count } },
        );
      }
    }
    return {
      created: missing.map((t) => t.name),
      existing: topics.filter((t) => present.has(t.name)).map((t) => t.name),
    };
  });
}

/**
 * Waits until the group coordinator answers. A fresh broker creates __consumer_offsets on the
 * first coordinator lookup and then loads it; until then consumers fail with "coordinator not
 * available" / "is loading". Warming it here means the first consumer of a user joins at once.
 */
export async function waitForGroupCoordinator(
  brokers: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      // describeCluster first: it fills kafkajs's broker pool, without which (and with no
      // retries) the coordinator lookup fails with "No brokers in the broker pool". kafkajs
      // throws when the lookup or the group's answer carries an error.
      await withAdmin(brokers, 5_000, async (admin) => {
        await admin.describeCluster();
        await admin.describeGroups(['featureflow-stack-probe']);
      });
      return;
    } catch (error) {
      lastError = describeError(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new FeatureflowError(
    'timeout',
    `Kafka's group coordinator did not become available in ${Math.round(timeoutMs / 1000)} s (last answer: ${lastError}); consumers cannot join groups (see the Kafka log)`,
  );
}
