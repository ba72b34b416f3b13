/**
 * What differs between the two jobs, resolved once per process: which validator, which entity
 * key, which feature function, which Redis entity type, which topics. Everything downstream
 * (replay, consumer, sink, UDF service) takes a `JobDefinition` instead of branching per event.
 */
import type { JobName, ProcessorConfig } from '../models/config.ts';
import {
  CLICK_RULES,
  type EventVerdict,
  type FieldRule,
  findClickEventProblem,
  findTransactionEventProblem,
  type InvalidEvent,
  TRANSACTION_RULES,
  validateClickEvent,
  validateTransactionEvent,
} from '../models/event-validation.ts';
import type { ClickEvent, TransactionEvent } from '../models/events.ts';
import {
  CLICKSTREAM_FEATURE_NAMES,
  TRANSACTION_FEATURE_NAMES,
  type WindowedFeatureRow,
} from '../models/feature-names.ts';
import type { ClickstreamFeatures, TransactionFeatures } from '../models/features.ts';
import {
  type ClickWindowEvent,
  computeClickstreamFeaturesFromWindow,
  computeClickstreamFeaturesInto,
  newClickstreamFeatures,
} from './clickstream-features.ts';
import {
  computeTransactionFeaturesFromWindow,
  computeTransactionFeaturesInto,
  newTransactionFeatures,
  type TransactionWindowEvent,
} from './transaction-features.ts';
import type { WindowContext } from './window-context.ts';

/** The Redis key family of DESIGN section 7: features:card:<id>, features:user:<id>. */
export type EntityType = 'card' | 'user';

/** A field of an event that the feature function reads, and whether it holds a number or a string. */
export interface WindowEventField {
  readonly name: string;
  readonly kind: 'number' | 'string';
}

export interface JobDefinition<E extends { timestamp: number } = { timestamp: number }> {
  readonly job: JobName;
  readonly entityType: EntityType;
  readonly entityField: string;
  readonly eventTopic: string;
  readonly featureTopic: string;
  readonly eventSchemaFile: string;
  readonly featureSchemaFile: string;
  readonly featureNames: readonly string[];
  /** The event's fields in the order of DESIGN section 3, with what each must hold. */
  readonly fieldRules: readonly FieldRule[];
  validate(value: unknown): EventVerdict<E>;
  /** `validate` for the per-event path: the problem, or undefined (nothing allocated) if valid. */
  findProblem(value: unknown): InvalidEvent | undefined;
  entityOf(event: E): string;
  /**
   * The fields of an event that `computeFeatures` reads, as the UDF path passes them: what
   * replay hands from its reading thread to its windowing thread, and keeps in open windows.
   */
  readonly windowEventFields: readonly WindowEventField[];
  /**
   * The window event with `values` as its fields, in the order of `windowEventFields`: one
   * object literal, so every window event has one shape (replay's window thread builds one per
   * event; filling an object field by field made V8 take its slowest path for every store).
   */
  windowEventFrom(values: readonly (number | string)[]): object;
  /**
   * `windowEventFrom` into an event it made before: replay's window thread reuses the window
   * events the engine has released. The object keeps its shape, so each store is a plain one.
   */
  refillWindowEvent(event: object, values: readonly (number | string)[]): void;
  /**
   * The reverse, for replay's reading thread: writes the window event's fields of `event` into
   * `into`, in the order of `windowEventFields`, read by name (looking 4 names up at one place
   * in a loop made V8 fall back to its slowest lookup, a tenth of packing an event).
   */
  windowEventValues(event: E, into: (number | string)[]): void;
  computeFeatures(
    events: readonly E[],
    config: ProcessorConfig,
    window: WindowContext,
  ): WindowedFeatureRow;
  /** A row for `computeFeaturesInto`, its fields in schema order. */
  newFeatureRow(): WindowedFeatureRow;
  /** `computeFeatures`, writing every field of `row` (from `newFeatureRow`) and returning it. */
  computeFeaturesInto(
    events: readonly E[],
    config: ProcessorConfig,
    window: WindowContext,
    row: WindowedFeatureRow,
  ): WindowedFeatureRow;
}

export const TRANSACTIONS_JOB = Object.freeze<JobDefinition<TransactionEvent>>({
  job: 'transactions',
  entityType: 'card',
  entityField: 'card_id',
  eventTopic: 'txn.events',
  featureTopic: 'features.transactions',
  eventSchemaFile: 'transaction_event.avsc',
  featureSchemaFile: 'transaction_features.avsc',
  featureNames: TRANSACTION_FEATURE_NAMES,
  fieldRules: TRANSACTION_RULES,
  validate: validateTransactionEvent,
  findProblem: findTransactionEventProblem,
  entityOf: (event: TransactionEvent) => event.card_id,
  windowEventFields: fieldsOf<TransactionWindowEvent>({
    amount: 'number',
    merchant_id: 'string',
    country: 'string',
    timestamp: 'number',
  }),
  windowEventFrom: (values) =>
    ({
      amount: values[0] as number,
      merchant_id: values[1] as string,
      country: values[2] as string,
      timestamp: values[3] as number,
    }) satisfies TransactionWindowEvent,
  refillWindowEvent: (event, values) => {
    const target = event as TransactionWindowEvent;
    target.amount = values[0] as number;
    target.merchant_id = values[1] as string;
    target.country = values[2] as string;
    target.timestamp = values[3] as number;
  },
  windowEventValues: (event, into) => {
    into[0] = event.amount;
    into[1] = event.merchant_id;
    into[2] = event.country;
    into[3] = event.timestamp;
  },
  computeFeatures: (events, config, window) =>
    computeTransactionFeaturesFromWindow(events, config, window) as unknown as WindowedFeatureRow,
  newFeatureRow: () => newTransactionFeatures() as unknown as WindowedFeatureRow,
  computeFeaturesInto: (events, config, window, row) =>
    computeTransactionFeaturesInto(
      events,
      config,
      window,
      row as unknown as TransactionFeatures,
    ) as unknown as WindowedFeatureRow,
});

export const CLICKSTREAM_JOB = Object.freeze<JobDefinition<ClickEvent>>({
  job: 'clickstream',
  entityType: 'user',
  entityField: 'user_id',
  eventTopic: 'click.events',
  featureTopic: 'features.clickstream',
  eventSchemaFile: 'click_event.avsc',
  featureSchemaFile: 'clickstream_features.avsc',
  featureNames: CLICKSTREAM_FEATURE_NAMES,
  fieldRules: CLICK_RULES,
  validate: validateClickEvent,
  findProblem: findClickEventProblem,
  entityOf: (event: ClickEvent) => event.user_id,
  windowEventFields: fieldsOf<ClickWindowEvent>({
    event_type: 'string',
    page: 'string',
    session_id: 'string',
    timestamp: 'number',
  }),
  windowEventFrom: (values) =>
    ({
      event_type: values[0] as ClickWindowEvent['event_type'],
      page: values[1] as string,
      session_id: values[2] as string,
      timestamp: values[3] as number,
    }) satisfies ClickWindowEvent,
  refillWindowEvent: (event, values) => {
    const target = event as ClickWindowEvent;
    target.event_type = values[0] as ClickWindowEvent['event_type'];
    target.page = values[1] as string;
    target.session_id = values[2] as string;
    target.timestamp = values[3] as number;
  },
  windowEventValues: (event, into) => {
    into[0] = event.event_type;
    into[1] = event.page;
    into[2] = event.session_id;
    into[3] = event.timestamp;
  },
  computeFeatures: (events, config, window) =>
    computeClickstreamFeaturesFromWindow(events, config, window) as unknown as WindowedFeatureRow,
  newFeatureRow: () => newClickstreamFeatures() as unknown as WindowedFeatureRow,
  computeFeaturesInto: (events, config, window, row) =>
    computeClickstreamFeaturesInto(
      events,
      config,
      window,
      row as unknown as ClickstreamFeatures,
    ) as unknown as WindowedFeatureRow,
});

/** Every field of the window event type `W`, typed by the compiler: none can be forgotten. */
function fieldsOf<W>(
  kinds: {
    [K in keyof Required<W>]: W[K] extends number ? 'number' : 'string';
  },
): readonly WindowEventField[] {
  return Object.freeze(
    Object.entries(kinds).map(([name, kind]) => ({ name, kind: kind as 'number' | 'string' })),
  );
}

export function jobDefinition(
  job: JobName,
): JobDefinition<TransactionEvent> | JobDefinition<ClickEvent> {
  return job === 'transactions' ? TRANSACTIONS_JOB : CLICKSTREAM_JOB;
}

/** The job whose feature topic is `topic`, for the sink connector. */
export function jobForFeatureTopic(
  topic: string,
): JobDefinition<TransactionEvent> | JobDefinition<ClickEvent> | undefined {
  if (topic === TRANSACTIONS_JOB.featureTopic) return TRANSACTIONS_JOB;
  if (topic === CLICKSTREAM_JOB.featureTopic) return CLICKSTREAM_JOB;
  return undefined;
}
