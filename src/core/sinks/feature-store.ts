/**
 * FeatureStore: reads back what FeatureSink wrote (docs/redis-layout.md) for online serving and
 * `featureflow features get`. Per window label it returns the feature values as numbers with
 * their window_start and window_end, so the caller can judge freshness (age = now - window_end).
 */
import type { EntityType } from '../jobs/job-definition.ts';
import { parseDurationMs } from '../utils/durations.ts';
import { RedisConnection } from './redis-connection.ts';
import { featureKey } from './window-batch.ts';

export interface StoredWindow {
  readonly label: string;
  readonly window_start: number;
  readonly window_end: number;
  /** Feature name (without the label suffix) -> value; numbers are parsed back. */
  readonly features: Readonly<Record<string, number | string>>;
}

export interface StoredEntity {
  readonly entityType: EntityType;
  readonly entityId: string;
  readonly key: string;
  /** Remaining key TTL in ms; undefined when the key has none. */
  readonly ttlMs: number | undefined;
  /** Label -> window, smallest window size first. */
  readonly labels: Readonly<Record<string, StoredWindow>>;
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

  constructor(options: FeatureStoreOptions) {
    this.connection = new RedisConnection({
      redisUrl: options.redisUrl,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    });
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
    if (error !== undefined && error !== null)
      throw this.connection.unavailable(READ_ACTION, error);
    const hash = (hashReply?.[1] ?? {}) as Record<string, string>;
    if (Object.keys(hash).length === 0) return undefined;
    const ttl = Number(ttlReply?.[1]);
    return {
      entityType,
      entityId,
      key,
      ttlMs: ttl >= 0 ? ttl : undefined,
      ...parseFeatureHash(hash),
    };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

export function createFeatureStore(options: FeatureStoreOptions): FeatureStore {
  return new FeatureStore(options);
}

/**
 * Splits a feature hash into windows by label. A label exists when its `window_end_<label>`
 * field does; every other field `<feature>_<label>` belongs to it (labels never contain '_',
 * feature names may).
 */
export function parseFeatureHash(hash: Readonly<Record<string, string>>): {
  labels: Record<string, StoredWindow>;
  unrecognizedFields: string[];
} {
  const windows = new Map<
    string,
    { window_start: number; window_end: number; features: Record<string, number | string> }
  >();
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('window_end_')) {
      windows.set(field.slice('window_end_'.length), {
        window_start: Number.NaN,
        window_end: Number(value),
        features: {},
      });
    }
  }
  const unrecognizedFields: string[] = [];
  for (const [field, value] of Object.entries(hash)) {
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
