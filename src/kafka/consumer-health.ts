/**
 * What makes a kafkajs consumer's trouble visible to the process running it: a crash kafkajs
 * will not restart becomes one FeatureflowError (so the process exits non-zero instead of
 * printing status lines forever), and a topic that does not exist is said at start, by name.
 */
import type { Admin, Consumer } from 'kafkajs';
import { describeError, FeatureflowError } from '../core/errors.ts';

export interface FatalSignal {
  readonly promise: Promise<never>;
  fail(error: unknown, brokers: readonly string[]): void;
}

/** A promise that rejects once, with the first fatal error; unobserved, it is not "unhandled". */
export function createFatalSignal(): FatalSignal {
  let reject!: (error: unknown) => void;
  const promise = new Promise<never>((_, rejectWith) => {
    reject = rejectWith;
  });
  promise.catch(() => undefined);
  let failed = false;
  return {
    promise,
    fail(error, brokers) {
      if (failed) return;
      failed = true;
      reject(
        error instanceof FeatureflowError
          ? error
          : new FeatureflowError(
              'unavailable',
              `Kafka at ${brokers.join(',')} failed and the consumer gave up: ${describeError(error)} (check that Kafka is up, e.g. 'featureflow status'; --kafka-retry-timeout waits longer)`,
              { cause: error, retriable: false, context: { brokers } },
            ),
      );
    },
  };
}

export interface ConsumerWatch {
  /** Kafka answered: a group joined or a fetch came back. */
  healthy(): void;
  fatal(error: unknown): void;
  log(line: string): void;
}

export function watchConsumer(consumer: Consumer, watch: ConsumerWatch): void {
  consumer.on(consumer.events.GROUP_JOIN, () => watch.healthy());
  consumer.on(consumer.events.FETCH, () => watch.healthy());
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart) {
      watch.log(`Kafka consumer crashed, restarting: ${describeError(error)}`);
    } else {
      watch.fatal(error);
    }
  });
}

/** Fails with the missing topics' names: subscribing to one would retry for nothing. */
export async function assertTopicsExist(
  admin: Admin,
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
