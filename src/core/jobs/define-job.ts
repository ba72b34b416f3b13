/**
 * The public way to declare a feature job: one `defineJob({...})` per job, the single source of
 * truth every runtime derives from (validation, replay's packing, the UDF service's function,
 * topics, the sink's mapping, CLI choices). The built-in jobs (src/jobs/) are written with it
 * exactly as a user writes one.
 *
 * `defineJob` only checks the shape and brands the object; reading the schemas and checking
 * the definition against them happens when a registry loads it (./job-registry.ts), where the
 * folder the definition came from is known.
 */
import type { WindowContext } from '../processors/window-context.ts';

/** The Avro types a feature may have: every feature is a number. */
export type FeatureType = 'long' | 'double';

export interface FeatureSpec {
  readonly name: string;
  readonly type: FeatureType;
  readonly doc?: string;
}

/**
 * A rule the Avro schema cannot say, for one field (string or number): checked after the
 * schema's own rules, with its own dead-letter reason.
 */
export interface FieldConstraint {
  /** The string must have exactly this many characters. */
  readonly length?: number;
  /** The number's magnitude must be at most this. */
  readonly maxAbs?: number;
  /** The dead-letter reason (snake_case), e.g. `bad_currency`. */
  readonly reason: string;
  /** What a good value looks like, for the message: `ISO 4217, e.g. "EUR"`. */
  readonly hint: string;
}

/** The deterministic random source the generator hands a sample function. */
export interface SampleRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** A whole number in [0, n). */
  int(n: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of `items`, each with its weight (the weights sum to 1). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  exponential(mean: number): number;
  logNormal(median: number, sigma: number): number;
}

/** One sample event of entity number `entity`, the `sequence`th of the stream, at `timestamp`. */
export type SampleEvent<E> = (
  random: SampleRandom,
  entity: number,
  sequence: number,
  timestamp: number,
) => E;

/** A feature row as `compute` fills it: every declared feature, by name. */
export type FeatureValues<F extends string = string> = Record<F, number>;

/** The feature names of a typed feature row: its keys other than the window columns. */
export type FeatureNamesOf<Row> = Exclude<keyof Row, 'entity_id' | 'window_start' | 'window_end'>;

export interface JobSpec<E extends object = Record<string, unknown>, F extends string = string> {
  /** The job's name: `--job <name>`, metrics labels, `features.<name>` by default. */
  readonly name: string;
  /** One line on what the job computes (the UDF service's Describe, `functions`). */
  readonly doc?: string;
  /** The entity a window belongs to: Redis key family `kind`, read from the event's `field`. */
  readonly entity: { readonly kind: string; readonly field: keyof E & string };
  /**
   * The Avro record schema of the events: a path to a `.avsc` (relative to the module that
   * exports the definition) or the schema itself.
   */
  readonly eventSchema: string | object;
  /**
   * Optional: the Avro schema of the feature rows (entity_id, window_start, window_end, then
   * the features), checked against `features`; derived from them when absent.
   */
  readonly featureSchema?: string | object;
  /** The event-time field: a long of epoch milliseconds. Default `timestamp`. */
  readonly timeField?: keyof E & string;
  /** The fields `compute` reads, the only ones that travel to it (Flink's ARRAY_AGG, replay). */
  readonly reads: readonly (keyof E & string)[];
  /** The features of a row, in order. */
  readonly features: readonly FeatureSpec[];
  /**
   * The features of one window: sets every feature of `row`. Must be pure: the same events and
   * window give the same row in replay, the consumer runtime and behind the UDF service.
   */
  readonly compute: (events: readonly E[], window: WindowContext, row: FeatureValues<F>) => void;
  /**
   * Whether `compute` reads `window.windowStart` or `window.windowEnd` (beyond the size, which
   * is the same for every window of a job). When false, replay may reuse the previous window's
   * row for a window holding the same events. Default true: no such shortcut.
   */
  readonly dependsOnWindowBounds?: boolean;
  /** Default windows (flags and environment override them): durations such as `5m`. */
  readonly window?: {
    readonly size?: string;
    readonly slide?: string;
    readonly maxOutOfOrderness?: string;
  };
  /**
   * Topic names; defaults `<name>.events` and `features.<name>`. The late and dead-letter
   * topics are always `<events>.late` and `<events>.dlq`.
   */
  readonly topics?: { readonly events?: string; readonly features?: string };
  /** The UDF function's SQL name; default `<name>_features`. */
  readonly functionName?: string;
  /** Rules the schema cannot say, by field. */
  readonly rules?: Readonly<Partial<Record<keyof E & string, FieldConstraint>>>;
  /**
   * Optional sample data for `featureflow generate`: called once per stream, returns the
   * function that makes each event (it may keep state, such as sessions, between events).
   */
  readonly sample?: () => SampleEvent<E>;
}

/**
 * Marks a definition, so a module's exports can be told apart from other values. A global
 * symbol: a definitions module bundled for replay's window thread has its own copy of this file.
 */
export const JOB_SPEC_BRAND: unique symbol = Symbol.for('featureflow.job-spec') as never;

/** A declared job, its event type erased: registries hold jobs of every event type. */
export type DefinedJob = JobSpec & {
  readonly [JOB_SPEC_BRAND]: true;
};

/** Declares a job; export the result (or an array of them) from a definitions module. */
export function defineJob<E extends object, F extends string = string>(
  spec: JobSpec<E, F> & { readonly features: readonly (FeatureSpec & { readonly name: F })[] },
): DefinedJob {
  return Object.freeze({ ...spec, [JOB_SPEC_BRAND]: true as const }) as unknown as DefinedJob;
}

export function isDefinedJob(value: unknown): value is DefinedJob {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[JOB_SPEC_BRAND] === true
  );
}
