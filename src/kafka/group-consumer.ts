/**
 * A consumer-group member behind featureflow's own types (kafka-types.ts), with its trouble
 * made visible: a crash the client will not restart, or restarts that go on past
 * `giveUpAfterMs` without Kafka answering, reject `failed` once with a FeatureflowError, so
 * the process running it exits non-zero instead of printing status lines forever.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { describeError, FeatureflowError } from '../core/errors.ts';
import { KAFKA_RETRY } from './kafka-retry.ts';
import type { GroupConsumer, GroupConsumerOptions } from './kafka-types.ts';

interface FatalSignal {
  readonly promise: Promise<never>;
  fail(error: unknown): void;
}

/** A promise that rejects once, with the first fatal error; unobserved, it is not "unhandled". */
function createFatalSignal(brokers: readonly string[]): FatalSignal {
  let reject!: (error: unknown) => void;
  const promise = new Promise<never>((_, rejectWith) => {
    reject = rejectWith;
  });
  promise.catch(() => undefined);
  let failed = false;
  return {
    promise,
    fail(error) {
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

export function createGroupConsumer(
  client: Kafka,
  brokers: readonly string[],
  options: GroupConsumerOptions,
): GroupConsumer {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const fatal = createFatalSignal(brokers);
  /** When Kafka last worked for us (joined, fetched): restarts are allowed within giveUpAfterMs. */
  let lastHealthyAt = Date.now();
  const giveUpAfterMs = options.giveUpAfterMs;
  const consumer: Consumer = client.consumer({
    groupId: options.groupId,
    readUncommitted: options.readCommitted === false,
    ...(options.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: options.maxBytesPerPartition }),
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    retry: {
      ...KAFKA_RETRY,
      // kafkajs restarts a crashed consumer forever by default; a service gives Kafka its
      // retry timeout, then exits non-zero so a supervisor sees it.
      ...(giveUpAfterMs === undefined
        ? {}
        : { restartOnFailure: async () => Date.now() - lastHealthyAt < giveUpAfterMs }),
    },
  });
  const healthy = () => {
    lastHealthyAt = Date.now();
  };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    healthy();
    options.onAssigned?.(event.payload.memberAssignment);
  });
  consumer.on(consumer.events.FETCH, healthy);
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart) log(`Kafka consumer crashed, restarting: ${describeError(error)}`);
    else fatal.fail(error);
  });

  return {
    failed: fatal.promise,
    connect: async () => {
      await consumer.connect();
      healthy();
    },
    subscribe: async (topics, { fromBeginning }) => {
      await consumer.subscribe({ topics: [...topics], fromBeginning });
      healthy();
    },
    run: async (run) => {
      const autoCommit = run.autoCommit ?? true;
      if ('eachBatch' in run) {
        await consumer.run({
          autoCommit,
          eachBatchAutoResolve: run.autoResolve ?? true,
          eachBatch: run.eachBatch,
        });
      } else {
        const each = run.eachRecord;
        await consumer.run({ autoCommit, eachMessage: (payload) => each(payload) });
      }
    },
    commitOffsets: (offsets) => consumer.commitOffsets(offsets),
    disconnect: () => consumer.disconnect(),
  };
}
