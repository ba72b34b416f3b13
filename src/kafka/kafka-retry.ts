/**
 * How a long-running Kafka client (consume, sink) rides out a Kafka it cannot reach: retry with
 * backoff for at most `timeoutMs` (--kafka-retry-timeout), then give up with an error that names
 * the brokers and the fix. Some failures never heal by retrying (bad credentials, a topic that
 * does not exist): those fail at once.
 */
import { describeError, FeatureflowError } from '../core/errors.ts';

export interface KafkaRetryOptions {
  /** What is being done, for messages: "connecting", "subscribing to txn.events". */
  what: string;
  brokers: readonly string[];
  timeoutMs: number;
  log: (line: string) => void;
  /** True once the process is stopping: no further attempt. */
  stopping: () => boolean;
}

// kafkajs names of errors that retrying cannot fix.
const FATAL_ERROR_NAMES: ReadonlySet<string> = new Set([
  'KafkaJSSASLAuthenticationError',
  'KafkaJSAuthenticationError',
  'KafkaJSTopicAuthorizationFailed',
  'KafkaJSGroupAuthorizationFailed',
  'KafkaJSInvalidSaslMechanism',
]);

/** Whether retrying `error` is pointless (authentication and authorization failures). */
export function isFatalKafkaError(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (FATAL_ERROR_NAMES.has(cause.name)) return true;
    if (/SASL|authenticat|authoriz/i.test(cause.message) && !/ECONN|timeout/i.test(cause.message))
      return true;
    if (cause instanceof FeatureflowError && !cause.retriable) return true;
  }
  return false;
}

/** The client's retries of one request; consumers take these and add their restart policy. */
export const KAFKA_RETRY = Object.freeze({
  retries: 5,
  initialRetryTime: 200,
  maxRetryTime: 5_000,
});

class DeadlineError extends Error {}

export class KafkaStoppedError extends Error {
  override readonly name = 'KafkaStoppedError';
}

/** Runs `step` until it succeeds, the time is up, the failure is fatal, or the process stops. */
export async function retryKafka<T>(
  step: () => Promise<T>,
  options: KafkaRetryOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = 500;
  for (let attempt = 1; ; attempt++) {
    if (options.stopping()) throw new KafkaStoppedError(`stopped while ${options.what}`);
    const remainingMs = deadline - Date.now();
    try {
      return await withDeadline(step(), Math.max(remainingMs, 1));
    } catch (error) {
      if (options.stopping()) throw new KafkaStoppedError(`stopped while ${options.what}`);
      const brokers = options.brokers.join(',');
      if (isFatalKafkaError(error)) {
        if (error instanceof FeatureflowError) throw error;
        throw new FeatureflowError(
          'failed_precondition',
          `Kafka at ${brokers} refused ${options.what}: ${describeError(error)} (check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM, and the client's ACLs)`,
          { cause: error, context: { brokers: options.brokers } },
        );
      }
      if (Date.now() + delayMs >= deadline) {
        throw new FeatureflowError(
          'unavailable',
          `Kafka at ${brokers} did not answer for ${Math.round(options.timeoutMs / 1000)} s while ${options.what}${error instanceof DeadlineError ? '' : `: ${describeError(error)}`} (start Kafka, e.g. 'featureflow up', or fix KAFKA_BROKERS / --brokers; --kafka-retry-timeout waits longer)`,
          { cause: error, context: { brokers: options.brokers }, retriable: false },
        );
      }
      options.log(
        `${options.what} failed (attempt ${attempt}): ${describeError(error)}; retrying in ${delayMs} ms`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(5_000, delayMs * 2);
    }
  }
}

/** `promise`, or a timeout error once `ms` passed (the step itself is left to finish). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  // The abandoned step may still fail later: that is not an unhandled rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
