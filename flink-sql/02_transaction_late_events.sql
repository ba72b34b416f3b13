-- Late transactions to txn.events.late: events at or behind the watermark, which the window
-- jobs leave out (docs/windows.md; Flink's window operators drop them silently).
-- Approximate by nature: this filter's watermark is its own, not the window operator's.
-- Run: featureflow submit flink-sql/02_transaction_late_events.sql

-- Name the job so that `featureflow jobs` shows what it is.
SET 'pipeline.name' = 'featureflow-transaction-late-events';

-- Subtasks per operator: up to the events topic's partitions (one source subtask reads one or
-- more partitions; more subtasks than partitions sit idle). The job needs as many free slots.
SET 'parallelism.default' = '${PARALLELISM:-1}';

-- The featureflow Flink module's jar holds last_window_fire_time, the late test below.
ADD JAR '${FEATUREFLOW_BRIDGE_JAR}';

-- No UDF service here: register the one function this job needs from the jar.
CREATE TEMPORARY SYSTEM FUNCTION last_window_fire_time AS 'dev.featureflow.flink.LastWindowFireTime';

-- Card transactions as producers write them (same table as the feature jobs).
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
  'properties.group.id' = '${GROUP_ID:-featureflow-transaction-late-events}',
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

-- The late topic carries the events unchanged, keyed by card like the events topic.
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

-- An event is late when the watermark already reached the moment its last window fired (the
-- window of 01_transaction_features_sql.sql: a 5-minute HOP sliding by 1 minute).
INSERT INTO txn_events_late
SELECT transaction_id, card_id, user_id, merchant_id, merchant_category, amount, currency,
  country, channel, `timestamp`
FROM valid_txn_events
WHERE CURRENT_WATERMARK(event_time) IS NOT NULL
  AND CURRENT_WATERMARK(event_time)
    >= last_window_fire_time(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE);
