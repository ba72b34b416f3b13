-- Transaction features in pure Flink SQL: a 5-minute window sliding by 1 minute per card,
-- watermark 5 s behind the largest event time (docs/windows.md, docs/features.md).
-- Run: featureflow submit flink-sql/01_transaction_features_sql.sql
-- ${KAFKA_BROKERS} comes from the environment (featureflow submit fills it for the local stack);
-- ${NAME:-default} placeholders fall back to the default topic and group names.

-- Window bounds are written as epoch milliseconds: window_start/window_end are TIMESTAMP(3)
-- in the session time zone, so pin it to UTC (CAST to BIGINT is refused; UNIX_TIMESTAMP of
-- the text form works, in whole seconds, enough for minute-aligned windows).
SET 'table.local-time-zone' = 'UTC';

-- Name the job so that `featureflow jobs` shows what it is.
SET 'pipeline.name' = 'featureflow-transaction-features-sql';

-- Subtasks per operator: up to the events topic's partitions (one source subtask reads one or
-- more partitions; more subtasks than partitions sit idle). The job needs as many free slots.
SET 'parallelism.default' = '${PARALLELISM:-1}';

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
  'properties.group.id' = '${GROUP_ID:-featureflow-transaction-features-sql}',
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

-- One row per fired window and card, in the column order of schemas/transaction_features.avsc.
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
  'key.format' = 'raw',
  'key.fields' = 'entity_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- The features of docs/features.md per card and HOP window (velocity: 2 per minute over 5 minutes).
INSERT INTO transaction_features
SELECT
  card_id AS entity_id,
  UNIX_TIMESTAMP(CAST(window_start AS STRING)) * 1000 AS window_start,
  UNIX_TIMESTAMP(CAST(window_end AS STRING)) * 1000 AS window_end,
  COUNT(*) AS txn_count,
  SUM(amount) AS amount_sum,
  AVG(amount) AS amount_avg,
  MAX(amount) AS amount_max,
  MIN(amount) AS amount_min,
  COALESCE(STDDEV_POP(amount), 0.0) AS amount_std,
  COUNT(DISTINCT merchant_id) AS distinct_merchants,
  COUNT(DISTINCT country) AS distinct_countries,
  CAST(SUM(CASE WHEN amount >= 1000.0 THEN 1 ELSE 0 END) AS BIGINT) AS high_amount_count,
  LEAST(1.0, CAST(COUNT(*) AS DOUBLE) / (5 * 2.0)) AS velocity_score
FROM TABLE(
  HOP(TABLE valid_txn_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)
)
GROUP BY card_id, window_start, window_end;
