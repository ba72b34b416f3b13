-- Transaction features computed by the TypeScript function `transaction_features`, served by
-- `featureflow udf-server` and called from Flink SQL through the featureflow module (the
-- flink-bridge jar): a 5-minute window sliding by 1 minute per card, watermark 5 s behind the
-- largest event time (docs/windows.md, docs/features.md). The same rows as `featureflow replay`; the
-- events no window takes (late, docs/windows.md) go unchanged to txn.events.late.
-- Run: featureflow udf-server &   then   featureflow submit flink-sql/03_transaction_features_udf.sql
-- ${KAFKA_BROKERS}, ${UDF_ADDRESS} and ${FEATUREFLOW_BRIDGE_JAR} (the absolute path of
-- udf-server/flink-bridge/target/featureflow-flink-bridge-0.1.0.jar) come from the environment;
-- featureflow submit fills them for the local stack. ${NAME:-default} placeholders fall back to
-- the default topic, group and transactional id names.

-- HOP's window_start/window_end are TIMESTAMP(3) wall-clock time in the session time zone; the
-- bridge reads the zone at LOAD MODULE time to turn them back into epoch ms, so set it first.
SET 'table.local-time-zone' = 'UTC';

-- Name the job so that `featureflow jobs` shows what it is.
SET 'pipeline.name' = 'featureflow-transaction-features-udf';

-- Subtasks per operator: up to the events topic's partitions (one source subtask reads one or
-- more partitions; more subtasks than partitions sit idle). The job needs as many free slots.
SET 'parallelism.default' = '${PARALLELISM:-1}';

-- Let many windows wait on the UDF service at once: the bridge batches them into one call.
SET 'table.exec.async-scalar.max-concurrent-operations' = '4096';

-- Checkpoints commit the exactly-once Kafka sink's transactions: rows appear once per checkpoint.
SET 'execution.checkpointing.interval' = '5 s';

-- Make the featureflow Flink module (the flink-bridge jar) available to this session's jobs.
ADD JAR '${FEATUREFLOW_BRIDGE_JAR}';

-- Load the functions of the UDF service as built-in functions: transaction_features(...).
LOAD MODULE featureflow WITH ('address' = '${UDF_ADDRESS}');

-- Card transactions as producers write them: Avro in the exact column order of
-- schemas/transaction_event.avsc (the enum `channel` is a STRING here: Flink has no enums).
CREATE TEMPORARY TABLE txn_events (
  transaction_id STRING NOT NULL,
  card_id STRING NOT NULL,
  user_id STRING NOT NULL,
  merchant_id STRING NOT NULL,
  merchant_category STRING NOT NULL,
  amount DOUBLE NOT NULL,
  currency STRING NOT NULL,
  country STRING NOT NULL,
  channel STRING NOT NULL,
  `timestamp` BIGINT NOT NULL,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TXN_EVENTS_TOPIC:-txn.events}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = '${GROUP_ID:-featureflow-transaction-features-udf}',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'avro'
);

-- Valid transactions only: the transactions job's rule |amount| <= 1E15 (a larger or non-finite
-- amount is invalid, reason out_of_range, in replay, the consumer and the UDF service too; it
-- would overflow window sums). Every query below reads this view, never txn_events.
CREATE TEMPORARY VIEW valid_txn_events AS
SELECT * FROM txn_events
WHERE ABS(amount) <= 1E15;

-- One row per fired window and card, in the column order of schemas/transaction_features.avsc,
-- keyed by card id, written in Kafka transactions committed on checkpoints (exactly-once; the
-- transaction timeout stays under the broker's default transaction.max.timeout.ms of 15 min).
CREATE TEMPORARY TABLE transaction_features (
  entity_id STRING NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  txn_count BIGINT NOT NULL,
  amount_sum DOUBLE NOT NULL,
  amount_avg DOUBLE NOT NULL,
  amount_max DOUBLE NOT NULL,
  amount_min DOUBLE NOT NULL,
  amount_std DOUBLE NOT NULL,
  distinct_merchants BIGINT NOT NULL,
  distinct_countries BIGINT NOT NULL,
  high_amount_count BIGINT NOT NULL,
  velocity_score DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${FEATURES_TRANSACTIONS_TOPIC:-features.transactions}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.transaction.timeout.ms' = '600000',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${TRANSACTIONAL_ID_PREFIX:-featureflow-transaction-features-udf}',
  'key.format' = 'raw',
  'key.fields' = 'entity_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- Late transactions go to the late topic unchanged, keyed by card like the events topic.
CREATE TEMPORARY TABLE txn_events_late (
  transaction_id STRING NOT NULL,
  card_id STRING NOT NULL,
  user_id STRING NOT NULL,
  merchant_id STRING NOT NULL,
  merchant_category STRING NOT NULL,
  amount DOUBLE NOT NULL,
  currency STRING NOT NULL,
  country STRING NOT NULL,
  channel STRING NOT NULL,
  `timestamp` BIGINT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${TXN_EVENTS_LATE_TOPIC:-txn.events.late}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'key.fields' = 'card_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- One job for both INSERTs: they share one Kafka source, so the late filter sees the watermark
-- the window operator sees (exactly, at parallelism 1; with more source subtasks the window
-- operator's watermark can lag, so an event may be reported late that a window still took).
EXECUTE STATEMENT SET
BEGIN

-- Each card's HOP window events go to the TypeScript function in one array; its ROW result is
-- spread into the 13 feature columns.
INSERT INTO transaction_features
SELECT
  f.entity_id,
  f.window_start,
  f.window_end,
  f.txn_count,
  f.amount_sum,
  f.amount_avg,
  f.amount_max,
  f.amount_min,
  f.amount_std,
  f.distinct_merchants,
  f.distinct_countries,
  f.high_amount_count,
  f.velocity_score
FROM (
  SELECT
    transaction_features(
      card_id,
      window_start,
      window_end,
      ARRAY_AGG(ROW(amount, merchant_id, country, `timestamp`))
    ) AS f
  FROM TABLE(
    HOP(TABLE valid_txn_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)
  )
  GROUP BY card_id, window_start, window_end
);

-- An event is late when the watermark already reached the moment its last window fired: the
-- test the window operator applies before dropping it. Same slide and size as the HOP above
-- (featureflow submit refuses a file where they differ).
INSERT INTO txn_events_late
SELECT transaction_id, card_id, user_id, merchant_id, merchant_category, amount, currency,
  country, channel, `timestamp`
FROM valid_txn_events
WHERE CURRENT_WATERMARK(event_time) IS NOT NULL
  AND CURRENT_WATERMARK(event_time)
    >= last_window_fire_time(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE);

END;
