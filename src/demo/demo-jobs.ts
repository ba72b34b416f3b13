/** The two jobs the demo runs through the UDF service, and the per-run topics each uses. */
import { fileURLToPath } from 'node:url';
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import { builtInJobRegistry } from '../core/jobs/load-definitions.ts';

export interface DemoJob {
  readonly job: string;
  readonly definition: JobDefinition;
  readonly sqlFile: string;
  /** Features shown per entity at the end. */
  readonly shown: readonly string[];
}

const sqlFile = (name: string) =>
  fileURLToPath(new URL(`../../flink-sql/${name}`, import.meta.url));

const builtIn = builtInJobRegistry();

export const DEMO_JOBS: readonly DemoJob[] = Object.freeze([
  {
    job: 'transactions',
    definition: builtIn.get('transactions'),
    sqlFile: sqlFile('03_transaction_features_udf.sql'),
    shown: ['txn_count', 'amount_sum', 'amount_max', 'distinct_merchants', 'velocity_score'],
  },
  {
    job: 'clickstream',
    definition: builtIn.get('clickstream'),
    sqlFile: sqlFile('04_clickstream_features_udf.sql'),
    shown: ['event_count', 'page_view_count', 'distinct_pages', 'conversion_rate'],
  },
]);

/** A run's own topics (`<run>.txn.events`, its .dlq and .late, `<run>.features.transactions`...). */
export function demoTopics(run: string, job: DemoJob) {
  const events = `${run}.${job.definition.topics.events}`;
  const features = `${run}.${job.definition.topics.features}`;
  return {
    events,
    eventsDlq: `${events}.dlq`,
    late: `${events}.late`,
    features,
    featuresDlq: `${features}.dlq`,
  };
}
