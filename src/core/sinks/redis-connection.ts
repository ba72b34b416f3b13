/**
 * One ioredis connection as the sink and the store want it: connect on first use, fail fast
 * (never queue writes for a Redis that is down), reconnect in the background, and turn every
 * transport failure into FeatureflowError('unavailable') naming the URL and the fix. Retrying
 * is the caller's job (consumer runtime, sink connector): it owns the backoff and the offsets.
 *
 * A `redis+cluster://` URL (redis-url.ts) gets an ioredis Cluster instead, with the same
 * fail-fast settings on every node: it learns the slot map from the nodes named, follows MOVED
 * and ASK redirections itself, and reloads the map when a node stops answering.
 */
import { Cluster, Redis } from 'ioredis';
import { FeatureflowError } from '../errors.ts';
import { parseRedisUrl, type RedisTarget } from './redis-url.ts';

/** One Redis or a Redis Cluster: both take the same commands, pipelines and sendCommand. */
export type RedisClient = Redis | Cluster;

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

const CLUSTER_GAVE_UP = /^Too many Cluster redirections\. Last error: (?:\w*Error: )?/;

export class RedisConnection {
  readonly client: RedisClient;
  /** Whether commands go to a Redis Cluster: then each one may carry keys of one slot only. */
  readonly cluster: boolean;
  /** The URL without its password, for messages. */
  readonly displayUrl: string;
  private readonly connectTimeoutMs: number;
  private lastError: Error | undefined;
  private closed = false;

  constructor(options: RedisConnectionOptions) {
    const target = parseRedisUrl(options.redisUrl);
    this.displayUrl = target.displayUrl;
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.cluster = target.mode === 'cluster';
    this.client = createClient(target, options.connectTimeoutMs);
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
  async ready(action: string): Promise<RedisClient> {
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
    // A cluster client gives up on a command after its redirections and retries; the error it
    // met last is the reason.
    const causeText = describe(cause).replace(CLUSTER_GAVE_UP, '');
    const generic = GENERIC_MESSAGES.find(([pattern]) => pattern.test(causeText))?.[1];
    if (generic === undefined) {
      if (!reasons.includes(causeText)) reasons.push(causeText);
    } else if (reasons.length === 0) {
      reasons.push(generic);
    }
    return new FeatureflowError(
      'unavailable',
      `cannot ${action} Redis at ${this.displayUrl}: ${reasons.join('; ')} (start Redis there, e.g. with 'featureflow up${this.cluster ? ' --redis-cluster' : ''}', or point REDIS_URL / --redis at a running ${this.cluster ? 'cluster' : 'server'})`,
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

function createClient(target: RedisTarget, connectTimeoutMs: number): RedisClient {
  const failFast = {
    // Fail a command at once while disconnected instead of holding it in memory: the caller
    // retries with backoff and must not commit offsets for writes that only sit in a queue.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: connectTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  };
  if (target.mode === 'standalone') {
    return new Redis(target.url, { ...failFast, lazyConnect: true, enableOfflineQueue: false });
  }
  return new Cluster(
    target.nodes.map((node) => ({ host: node.host, port: node.port })),
    {
      lazyConnect: true,
      // The cluster refuses a command for a node that is not connected; a node's own queue
      // only holds the first command while its lazy connection opens.
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
      redisOptions: {
        ...failFast,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.tls ? { tls: {} } : {}),
      },
    },
  );
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
