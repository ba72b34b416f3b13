/**
 * One ioredis connection as the sink and the store want it: connect on first use, fail fast
 * (never queue writes for a Redis that is down), reconnect in the background, and turn every
 * transport failure into FeatureflowError('unavailable') naming the URL and the fix. Retrying
 * is the caller's job (consumer runtime, sink connector): it owns the backoff and the offsets.
 */
import { Redis } from 'ioredis';
import { FeatureflowError } from '../errors.ts';
import { redactSecrets } from '../redaction.ts';

export interface RedisConnectionOptions {
  readonly redisUrl: string;
  readonly connectTimeoutMs: number;
}

// Background reconnects back off to this; the caller's own retry loop sits on top.
const MAX_RECONNECT_DELAY_MS = 2_000;
// ioredis's words for "no usable socket", in plain words; next to the socket's own error
// (ECONNREFUSED, ECONNRESET...) they add nothing and are left out.
const GENERIC_MESSAGES: readonly [RegExp, string][] = [
  [/^Connection is closed\.$/, 'the connection closed'],
  [/^Reached the max retries per request limit/, 'the connection closed'],
  [/^Stream isn't writeable and enableOfflineQueue options is false$/, 'not connected'],
];

export class RedisConnection {
  readonly client: Redis;
  /** The URL without its password, for messages. */
  readonly displayUrl: string;
  private readonly connectTimeoutMs: number;
  private lastError: Error | undefined;
  private closed = false;

  constructor(options: RedisConnectionOptions) {
    this.displayUrl = redactRedisUrl(options.redisUrl);
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.client = new Redis(options.redisUrl, {
      lazyConnect: true,
      // Fail a command at once while disconnected instead of holding it in memory: the caller
      // retries with backoff and must not commit offsets for writes that only sit in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: options.connectTimeoutMs,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    });
    // ioredis reports connection failures as 'error' events; keep the latest so the next
    // FeatureflowError can say *why* Redis is unavailable (ECONNREFUSED, auth, DNS...).
    this.client.on('error', (error: Error) => {
      this.lastError = error;
    });
    // A reason from an outage that is over would only mislead the next message.
    this.client.on('ready', () => {
      this.lastError = undefined;
    });
  }

  /** The client, connected; FeatureflowError('unavailable') if Redis does not answer in time. */
  async ready(action: string): Promise<Redis> {
    if (this.client.status === 'ready') return this.client;
    if (this.closed) {
      throw new FeatureflowError(
        'failed_precondition',
        `cannot ${action} Redis at ${this.displayUrl}: the connection was closed (create a new sink or store)`,
      );
    }
    try {
      if (this.client.status === 'wait' || this.client.status === 'end') {
        await withTimeout(this.client.connect(), this.connectTimeoutMs);
      } else {
        await this.waitForReady();
      }
    } catch (error) {
      throw this.unavailable(action, error);
    }
    return this.client;
  }

  /** The error for a failed command or connection: what, where, why, and how to fix it. */
  unavailable(action: string, cause: unknown): FeatureflowError {
    // The socket's own error (ECONNREFUSED, ETIMEDOUT, NOAUTH...) says more than ioredis's
    // generic "Connection is closed.", so it goes first.
    const reasons = this.lastError === undefined ? [] : [describe(this.lastError)];
    const causeText = describe(cause);
    const generic = GENERIC_MESSAGES.find(([pattern]) => pattern.test(causeText))?.[1];
    if (generic === undefined) {
      if (!reasons.includes(causeText)) reasons.push(causeText);
    } else if (reasons.length === 0) {
      reasons.push(generic);
    }
    return new FeatureflowError(
      'unavailable',
      `cannot ${action} Redis at ${this.displayUrl}: ${reasons.join('; ')} (start Redis there, e.g. with 'featureflow up', or point REDIS_URL / --redis at a running server)`,
      { cause, context: { redisUrl: this.displayUrl } },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      // QUIT lets replies already in flight arrive; a failure here leaves nothing to clean up
      // but the socket, which disconnect() below closes anyway.
      await this.client.quit().catch((error: unknown) => {
        this.lastError = error instanceof Error ? error : new Error(String(error));
      });
    }
    this.client.disconnect();
  }

  /** Waits for the reconnect under way: ready, or the error of its next attempt, or timeout. */
  private waitForReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onReady = () => settle();
      const onError = (error: Error) => settle(error);
      const timer = setTimeout(
        () => settle(new Error(`not connected within ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
      this.client.once('ready', onReady);
      this.client.once('error', onError);
    });
  }
}

/** redis://user:secret@host:6379 -> redis://user:***@host:6379, ?password=secret too. */
export function redactRedisUrl(url: string): string {
  return redactSecrets(url);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
