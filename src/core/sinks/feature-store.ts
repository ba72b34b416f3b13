/**
 * FeatureStore: reads back what FeatureSink wrote for online serving and `featureflow features
 * get`. Per job and window label it returns the feature values as numbers with their
 * window_start and window_end, so the caller can judge freshness (age = now - window_end).
 * The hash layout: docs/redis-layout.md.
 */
import { FeatureflowError } from '../errors.ts';
import type { EntityType } from '../jobs/job-definition.ts';
import { builtInJobs } from '../jobs/load-definitions.ts';
import { parseDurationMs } from '../utils/durations.ts';
import { featureKey, JOB_FIELD_SEPARATOR } from './feature-fields.ts';
import { RedisConnection } from './redis-connection.ts';
import { parseRedisUrl } from './redis-url.ts';

export interface StoredWindow {
  readonly label: string;
  readonly window_start: number;
  readonly window_end: number;
  /** Feature name (without the job prefix and the label suffix) -> value; numbers are parsed back. */
  readonly features: Readonly<Record<string, number | string>>;
  /** The stored window_end text when it is not a finite number (the next write replaces it). */
  readonly unreadableWindowEnd?: string;
}

/** Label -> window, smallest window size first. */
export type StoredWindows = Readonly<Record<string, StoredWindow>>;

export interface StoredEntity {
  readonly entityType: EntityType;
  readonly entityId: string;
  readonly key: string;
  /** Remaining key TTL in ms; undefined when the key has none. */
  readonly ttlMs: number | undefined;
  /** The built-in job's windows (fields without a job prefix), by label. */
  readonly labels: StoredWindows;
  /** Every job's windows, by job name: the built-in job of the entity type (its bare fields)
   * and each other job (its `<job>:` fields). */
  readonly jobs: Readonly<Record<string, StoredWindows>>;
  /** Fields that belong to no label this hash has a window_end for (written by someone else). */
  readonly unrecognizedFields: readonly string[];
}

export interface FeatureStoreOptions {
  redisUrl: string;
  connectTimeoutMs?: number;
}

const READ_ACTION = 'read features from';

export class FeatureStore {
  private readonly connection: RedisConnection;
  /** How to point redis-cli at the same Redis, for messages (no password in it). */
  private readonly redisCli: string;

  constructor(options: FeatureStoreOptions) {
    this.connection = new RedisConnection({
      redisUrl: options.redisUrl,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    });
    const target = parseRedisUrl(options.redisUrl);
    // redis-cli takes no cluster URL: one node, and -c to follow its redirections.
    this.redisCli =
      target.mode === 'cluster'
        ? `redis-cli -c -h ${target.nodes[0]!.host} -p ${target.nodes[0]!.port}`
        : `redis-cli -u ${target.displayUrl}`;
  }

  get url(): string {
    return this.connection.displayUrl;
  }

  /** What Redis holds for one entity, or undefined when its key does not exist. */
  async get(entityType: EntityType, entityId: string): Promise<StoredEntity | undefined> {
    const client = await this.connection.ready(READ_ACTION);
    const key = featureKey(entityType, entityId);
    let replies: [Error | null, unknown][] | null;
    try {
      // One round trip for the values and the TTL.
      replies = await client.pipeline().hgetall(key).pttl(key).exec();
    } catch (error) {
      throw this.connection.unavailable(READ_ACTION, error);
    }
    const [hashReply, ttlReply] = replies ?? [];
    const error = hashReply?.[0] ?? ttlReply?.[0];
    if (error !== undefined && error !== null) {
      if (error.message.startsWith('WRONGTYPE')) throw await this.notAHash(key);
      throw this.connection.unavailable(READ_ACTION, error);
    }
    const hash = (hashReply?.[1] ?? {}) as Record<string, string>;
    if (Object.keys(hash).length === 0) return undefined;
    const ttl = Number(ttlReply?.[1]);
    const { labels, jobs, unrecognizedFields } = parseFeatureHash(hash);
    const builtIn = builtInJobs().find((job) => job.entityType === entityType)?.name;
    const allJobs: Record<string, StoredWindows> = {};
    if (Object.keys(labels).length > 0) allJobs[builtIn ?? ''] = labels;
    Object.assign(allJobs, jobs);
    return {
      entityType,
      entityId,
      key,
      ttlMs: ttl >= 0 ? ttl : undefined,
      labels,
      jobs: allJobs,
      unrecognizedFields,
    };
  }

  /** A key of the entity's name that holds something else: say what, and what to do. */
  private async notAHash(key: string): Promise<FeatureflowError> {
    const client = await this.connection.ready(READ_ACTION);
    const type = await client.type(key).catch((error: unknown) => `(unknown: ${String(error)})`);
    return new FeatureflowError(
      'failed_precondition',
      `key ${key} at ${this.url} holds a ${type}, not a feature hash: the sink cannot write this entity's features there (inspect it with '${this.redisCli} TYPE ${key}'; if nothing needs it, delete it with '${this.redisCli} DEL ${key}' and the next window is written as a hash)`,
      { context: { key, type } },
    );
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

export function createFeatureStore(options: FeatureStoreOptions): FeatureStore {
  return new FeatureStore(options);
}

/**
 * Splits a feature hash into windows per job and label (feature-fields.ts): fields without a
 * job prefix are the built-in job's (`labels`), `<job>:...` fields are that job's (`jobs`).
 */
export function parseFeatureHash(hash: Readonly<Record<string, string>>): {
  labels: Record<string, StoredWindow>;
  jobs: Record<string, Record<string, StoredWindow>>;
  unrecognizedFields: string[];
} {
  const groups = new Map<string, [string, string][]>();
  for (const [field, value] of Object.entries(hash)) {
    const cut = field.indexOf(JOB_FIELD_SEPARATOR);
    const job = cut < 0 ? '' : field.slice(0, cut);
    let group = groups.get(job);
    if (group === undefined) {
      group = [];
      groups.set(job, group);
    }
    group.push([cut < 0 ? field : field.slice(cut + 1), value]);
  }
  const jobs: Record<string, Record<string, StoredWindow>> = {};
  const unrecognizedFields: string[] = [];
  let labels: Record<string, StoredWindow> = {};
  for (const [job, fields] of groups) {
    const parsed = parseJobFields(fields);
    const prefix = job === '' ? '' : `${job}${JOB_FIELD_SEPARATOR}`;
    for (const field of parsed.unrecognizedFields) unrecognizedFields.push(prefix + field);
    if (job === '') labels = parsed.labels;
    else if (Object.keys(parsed.labels).length > 0) jobs[job] = parsed.labels;
  }
  return { labels, jobs, unrecognizedFields };
}

/**
 * One job's fields, without its prefix, into windows by label. A label exists when its
 * `window_end_<label>` field does; every other field `<feature>_<label>` belongs to it (labels
 * never contain '_', feature names may).
 */
function parseJobFields(fields: readonly [string, string][]): {
  labels: Record<string, StoredWindow>;
  unrecognizedFields: string[];
} {
  const windows = new Map<
    string,
    {
      window_start: number;
      window_end: number;
      features: Record<string, number | string>;
      unreadableWindowEnd?: string;
    }
  >();
  for (const [field, value] of fields) {
    if (field.startsWith('window_end_')) {
      const windowEnd = Number(value);
      windows.set(field.slice('window_end_'.length), {
        window_start: Number.NaN,
        window_end: windowEnd,
        features: {},
        ...(Number.isFinite(windowEnd) && value.trim() !== ''
          ? {}
          : { unreadableWindowEnd: value }),
      });
    }
  }
  const unrecognizedFields: string[] = [];
  for (const [field, value] of fields) {
    const cut = field.lastIndexOf('_');
    const window = cut > 0 ? windows.get(field.slice(cut + 1)) : undefined;
    if (window === undefined) {
      unrecognizedFields.push(field);
      continue;
    }
    const name = field.slice(0, cut);
    if (name === 'window_end') continue;
    if (name === 'window_start') window.window_start = Number(value);
    else window.features[name] = parseValue(value);
  }
  const labels: Record<string, StoredWindow> = {};
  for (const label of [...windows.keys()].sort((a, b) => labelMs(a) - labelMs(b))) {
    labels[label] = { label, ...windows.get(label)! };
  }
  return { labels, unrecognizedFields };
}

/** The sink stores String(n), which Number() reads back exactly; anything else stays text. */
function parseValue(text: string): number | string {
  const value = Number(text);
  if (text.trim() === '') return text; // Number('') would be 0
  return Number.isNaN(value) && text !== 'NaN' ? text : value;
}

/** A label's window size, for ordering; a label the sink would not write sorts last. */
function labelMs(label: string): number {
  return /^\d+(ms|s|m|h|d)$/.test(label)
    ? parseDurationMs(label, 'window label')
    : Number.POSITIVE_INFINITY;
}
