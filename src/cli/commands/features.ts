/**
 * `featureflow features get card|user ID`: what Redis holds for one entity, per job and window
 * label, with window_start, window_end and the age of window_end, so a user can see at a glance
 * whether the online features are fresh. The hash layout: docs/redis-layout.md.
 */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { FeatureflowError } from '../../core/errors.ts';
import type { EntityType } from '../../core/jobs/job-definition.ts';
import { featureKey } from '../../core/sinks/feature-fields.ts';
import type { StoredEntity, StoredWindow } from '../../core/sinks/feature-store.ts';

interface FeaturesGetFlags {
  redis?: string;
  json?: boolean;
}

const ENTITY_TYPES: readonly EntityType[] = ['card', 'user'];

export function register(program: Command): void {
  const features = program.command('features').description('inspect the online features in Redis');
  features
    .command('get')
    .description('show what Redis holds for one entity, per window, with its freshness')
    .argument('<entity-type>', 'card (transaction features) | user (clickstream features)')
    .argument('<id>', 'the card_id or user_id')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL or redis://127.0.0.1:6380)')
    .option('--json', 'print one JSON object instead of a table')
    .action(async (entityType: string, id: string, flags: FeaturesGetFlags) => {
      const type = parseEntityType(entityType);
      const { redisUrl } = resolveServiceEndpoints({ redis: flags.redis });
      // Loaded when the command runs, so `--help` does not load the Redis client.
      const { createFeatureStore } = await import('../../core/sinks/feature-store.ts');
      const store = createFeatureStore({ redisUrl });
      try {
        const entity = await store.get(type, id);
        const nowMs = Date.now();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(toJson(type, id, store.url, entity, nowMs))}\n`);
        } else if (entity !== undefined) {
          process.stdout.write(formatEntity(entity, store.url, nowMs));
        } else {
          process.stderr.write(`${notFoundMessage(type, id, store.url)}\n`);
        }
        // Nothing stored is an answer, not a crash, but scripts need to tell it apart.
        if (entity === undefined) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}

function parseEntityType(text: string): EntityType {
  if ((ENTITY_TYPES as readonly string[]).includes(text)) return text as EntityType;
  throw new FeatureflowError(
    'invalid_argument',
    `entity type must be card or user: got '${text}' (card for transaction features, user for clickstream features)`,
    { context: { value: text } },
  );
}

export function notFoundMessage(type: EntityType, id: string, url: string): string {
  return `no features in Redis for ${type} '${id}': key ${featureKey(type, id)} does not exist at ${url} (check the id and the entity type; keys expire after their TTL, 24 h by default, without writes)`;
}

/** The table people read: one block per job and label, the freshest facts first. */
export function formatEntity(entity: StoredEntity, url: string, nowMs: number): string {
  const ttl = entity.ttlMs === undefined ? 'no TTL' : `expires in ${formatAge(entity.ttlMs)}`;
  const lines = [`${entity.key} at ${url} (${ttl})`];
  const windows: [string, StoredWindow][] = [];
  for (const [job, labels] of Object.entries(entity.jobs)) {
    for (const window of Object.values(labels)) windows.push([job, window]);
  }
  for (const [job, window] of windows) {
    lines.push(
      '',
      `${job} ${window.label} window ${isoOrRaw(window.window_start)} .. ${isoOrRaw(window.window_end)}`,
      window.unreadableWindowEnd === undefined
        ? `  window_end age: ${describeAge(nowMs - window.window_end)}`
        : `  window_end is not a number: ${JSON.stringify(window.unreadableWindowEnd)} (the sink treats it as absent: the next window of this job and label replaces it)`,
    );
    const names = Object.keys(window.features);
    const width = Math.max(0, ...names.map((name) => name.length));
    for (const name of names)
      lines.push(`  ${name.padEnd(width)}  ${String(window.features[name])}`);
  }
  if (windows.length === 0) lines.push('', 'no window_end_<label> field: nothing the sink wrote');
  if (entity.unrecognizedFields.length > 0) {
    lines.push(
      '',
      `other fields (not written by the sink): ${entity.unrecognizedFields.join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function toJson(
  type: EntityType,
  id: string,
  url: string,
  entity: StoredEntity | undefined,
  nowMs: number,
) {
  const base = {
    found: entity !== undefined,
    entity_type: type,
    entity_id: id,
    key: featureKey(type, id),
    redis: url,
    now: nowMs,
  };
  if (entity === undefined) return base;
  const windowsJson = (windows: Readonly<Record<string, StoredWindow>>) => {
    const byLabel: Record<string, unknown> = {};
    for (const window of Object.values(windows)) {
      byLabel[window.label] = {
        window_start: window.window_start,
        window_end: window.window_end,
        age_ms: nowMs - window.window_end,
        features: window.features,
        ...(window.unreadableWindowEnd === undefined
          ? {}
          : { unreadable_window_end: window.unreadableWindowEnd }),
      };
    }
    return byLabel;
  };
  const jobs: Record<string, unknown> = {};
  for (const [job, windows] of Object.entries(entity.jobs)) jobs[job] = windowsJson(windows);
  return {
    ...base,
    ttl_ms: entity.ttlMs ?? null,
    // The built-in job's windows, as before jobs shared a key; `jobs` has every job's.
    labels: windowsJson(entity.labels),
    jobs,
    unrecognized_fields: entity.unrecognizedFields,
  };
}

function isoOrRaw(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** "3m 12s ago", or "in the future by 5s" (clock skew, synthetic event times). */
export function describeAge(ageMs: number): string {
  if (!Number.isFinite(ageMs)) return 'unknown';
  return ageMs >= 0 ? `${formatAge(ageMs)} ago` : `in the future by ${formatAge(-ageMs)}`;
}

/** A duration in its two largest units: "950ms", "42s", "3m 12s", "2h 5m", "3d 4h". */
export function formatAge(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = Math.floor(ms / 1_000) * 1_000;
  for (const [unit, size] of units) {
    if (rest >= size || parts.length > 0) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
