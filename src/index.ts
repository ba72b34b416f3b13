/**
 * featureflow's public API: what a project that depends on featureflow imports. Every name here
 * is the part the runtimes themselves use, not a copy. A job of one's own is a
 * `defineJob({...})` exported from a definitions module, loaded with `--definitions <path>` or
 * FEATUREFLOW_DEFINITIONS; the semantics are in docs/README.md.
 */

export { FeatureflowError, type FeatureflowErrorCode } from './core/errors.ts';
// Jobs: the definitions API and the registry every command asks for jobs, topics and validation.
export {
  type DefinedJob,
  defineJob,
  type FeatureSpec,
  type FeatureType,
  type FeatureValues,
  type FieldConstraint,
  type JobSpec,
  type SampleEvent,
  type SampleRandom,
} from './core/jobs/define-job.ts';
export type { JobDefinition, WindowedFeatureRow } from './core/jobs/job-definition.ts';
export { JobRegistry } from './core/jobs/job-registry.ts';
export { builtInJobRegistry, loadJobRegistry } from './core/jobs/load-definitions.ts';
// Metrics (docs/metrics.md).
export {
  DEAD_LETTERS,
  EVENT_TO_REDIS,
  FEATURES_COMPUTED,
  LATE_EVENTS,
  METRICS_REGISTRY,
  type MetricsServer,
  type MetricsServerOptions,
  REDIS_WRITES,
  serveMetrics,
  UDF_BATCH_ROWS,
  UDF_CALLS,
  UDF_LATENCY,
  WINDOW_SIZE,
} from './core/metrics.ts';
// Configuration.
export {
  type FeatureJobConfig,
  type FeatureJobFlags,
  resolveFeatureJobConfig,
} from './core/models/config.ts';

// Events and feature rows, and what a validation says (a registry's job.validate(value)).
export type {
  EventVerdict,
  InvalidEvent,
  InvalidEventReason,
} from './core/models/event-validation.ts';
export { countDistinct } from './core/processors/distinct-count.ts';
export type { WindowContext } from './core/processors/window-context.ts';
// Redis: the sink, the Kafka -> Redis sink connector, and online reads.
export {
  createFeatureStore,
  FeatureStore,
  type FeatureStoreOptions,
  type StoredEntity,
  type StoredWindow,
} from './core/sinks/feature-store.ts';
export {
  createFeatureSink,
  FeatureSink,
  type FeatureSinkOptions,
  type FeatureTarget,
  type FeatureWriteResult,
} from './core/sinks/redis-feature-sink.ts';
// Avro on Kafka.
export {
  AvroDeserializer,
  AvroSerializer,
  type AvroSerializerOptions,
  type DecodeResult,
  wireTypeOfSchema,
} from './core/utils/avro.ts';
// Windows, watermarks, late events, and the engine that runs them.
export { parseDurationMs, windowLabel } from './core/utils/durations.ts';
export { LateEventHandler, type LateEventOutput } from './core/utils/late-event-handler.ts';
export { DEFAULT_SCHEMA_DIR, SchemaDirectory } from './core/utils/schema-directory.ts';
export { WatermarkGenerator, type WatermarkGeneratorOptions } from './core/utils/watermarks.ts';
export { SlidingWindow } from './core/utils/windowing.ts';
export { WindowedEngine, type WindowedEngineOptions } from './engine/windowed-engine.ts';
export type { ClickEvent } from './jobs/clickstream.ts';
// Feature computation: the built-in jobs' functions.
export {
  ClickstreamFeatureComputer,
  type ClickstreamFeatures,
  computeClickstreamFeaturesFromWindow,
} from './jobs/clickstream-features.ts';
export {
  DEFAULT_PROCESSOR_CONFIG,
  type ProcessorConfig,
  resolveProcessorConfig,
} from './jobs/processor-config.ts';
export {
  computeTransactionFeaturesFromWindow,
  TransactionFeatureComputer,
  type TransactionFeatures,
} from './jobs/transaction-features.ts';
export type { TransactionEvent } from './jobs/transactions.ts';
export { SinkConnector, type SinkConnectorOptions } from './sink/sink-connector.ts';
