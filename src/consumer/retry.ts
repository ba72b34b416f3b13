/** Retries a step while its failure is retriable, with capped exponential backoff. */
import { describeError, FeatureflowError } from '../core/errors.ts';

export interface RetryOptions {
  what: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Stop retrying (and rethrow) once this says so, e.g. on shutdown. */
  shouldStop?: () => boolean;
  /** Called before each wait: report it, and keep a consumer group session alive. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => Promise<void> | void;
}

export async function retryWhileRetriable<T>(
  step: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  let delayMs = options.initialDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const retriable = error instanceof FeatureflowError && error.retriable;
      if (!retriable || options.shouldStop?.()) throw error;
      await options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }
}

export function retryLine(what: string, error: unknown, attempt: number, delayMs: number): string {
  return `${what} failed (attempt ${attempt}): ${describeError(error)}; retrying in ${delayMs} ms`;
}
