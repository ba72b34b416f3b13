/**
 * The feature functions the UDF service offers: the same functions, with the same config, that
 * replay and the consumer runtime call (src/core/processors). Adding a function is one more
 * entry here.
 */
import { DEFAULT_PROCESSOR_CONFIG } from '../core/models/config.ts';
import {
  type ClickWindowEvent,
  computeClickstreamFeaturesFromWindow,
} from '../core/processors/clickstream-features.ts';
import { CLICKSTREAM_JOB, TRANSACTIONS_JOB } from '../core/processors/job-definitions.ts';
import {
  computeTransactionFeaturesFromWindow,
  type TransactionWindowEvent,
} from '../core/processors/transaction-features.ts';
import type { SchemaDirectory } from '../core/utils/schema-directory.ts';
import { defineWindowFunction, type WindowFunction } from './window-function.ts';

export function featureFunctions(schemas?: SchemaDirectory): WindowFunction[] {
  return [
    defineWindowFunction<TransactionWindowEvent>(
      {
        name: 'transaction_features',
        doc: 'Transaction features of one card window (DESIGN section 6): counts, amount statistics, distinct merchants and countries, velocity.',
        entityArgument: 'card_id',
        eventSchemaFile: TRANSACTIONS_JOB.eventSchemaFile,
        eventFields: ['amount', 'merchant_id', 'country', 'timestamp'],
        resultSchemaFile: TRANSACTIONS_JOB.featureSchemaFile,
        compute: (events, window) =>
          computeTransactionFeaturesFromWindow(events, DEFAULT_PROCESSOR_CONFIG, window),
      },
      schemas,
    ),
    defineWindowFunction<ClickWindowEvent>(
      {
        name: 'clickstream_features',
        doc: 'Clickstream features of one user window (DESIGN section 6): event counts by type, distinct pages and sessions, conversion rate, mean gap.',
        entityArgument: 'user_id',
        eventSchemaFile: CLICKSTREAM_JOB.eventSchemaFile,
        eventFields: ['event_type', 'page', 'session_id', 'timestamp'],
        resultSchemaFile: CLICKSTREAM_JOB.featureSchemaFile,
        compute: (events, window) =>
          computeClickstreamFeaturesFromWindow(events, DEFAULT_PROCESSOR_CONFIG, window),
      },
      schemas,
    ),
  ];
}
