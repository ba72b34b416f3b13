/**
 * What differs between the two jobs, resolved once per process: which validator, which entity
 * key, which feature function, which Redis entity type, which topics. Everything downstream
 * (replay, consumer, sink, UDF service) takes a `JobDefinition` instead of branching per event.
 */
import type { JobName, ProcessorConfig } from '../models/config.ts';
import {
  type EventVerdict,
  validateClickEvent,
  validateTransactionEvent,
} from '../models/event-validation.ts';
import type { ClickEvent, TransactionEvent } from '../models/events.ts';
import {
  CLICKSTREAM_FEATURE_NAMES,
  TRANSACTION_FEATURE_NAMES,
  type WindowedFeatureRow,
} from '../models/features.ts';
import { computeClickstreamFeaturesFromWindow } from './clickstream-features.ts';
import { computeTransactionFeaturesFromWindow } from './transaction-features.ts';
import type { WindowContext } from './window-context.ts';

/** The Redis key family of DESIGN section 7: features:card:<id>, features:user:<id>. */
export type EntityType = 'card' | 'user';

export interface JobDefinition<E extends { timestamp: number } = { timestamp: number }> {
  readonly job: JobName;
  readonly entityType: EntityType;
  readonly entityField: string;
  readonly eventTopic: string;
  readonly featureTopic: string;
  readonly eventSchemaFile: string;
  readonly featureSchemaFile: string;
  readonly featureNames: readonly string[];
  validate(value: unknown): EventVerdict<E>;
  entityOf(event: E): string;
  computeFeatures(
    events: readonly E[],
    config: ProcessorConfig,
    window: WindowContext,
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
  validate: validateTransactionEvent,
  entityOf: (event: TransactionEvent) => event.card_id,
  computeFeatures: (events, config, window) =>
    computeTransactionFeaturesFromWindow(events, config, window) as unknown as WindowedFeatureRow,
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
  validate: validateClickEvent,
  entityOf: (event: ClickEvent) => event.user_id,
  computeFeatures: (events, config, window) =>
    computeClickstreamFeaturesFromWindow(events, config, window) as unknown as WindowedFeatureRow,
});

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
