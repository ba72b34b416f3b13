-- Clickstream features computed by the TypeScript function `clickstream_features`, served by
-- `featureflow udf-server` and called from Flink SQL through the featureflow module (the
-- flink-bridge jar): a 5-minute window sliding by 1 minute per user, watermark 5 s behind the
-- largest event time (docs/windows.md, docs/features.md). The same rows as `featureflow replay`; the
-- events no window takes (late, docs/windows.md) go unchanged to click.events.late.
-- Run: featureflow udf-server &   then   featureflow submit flink-sql/04_clickstream_features_udf.sql
-- ${KAFKA_BROKERS}, ${UDF_ADDRESS} and ${FEATUREFLOW_BRIDGE_JAR} (the absolute path of
-- udf-server/flink-bridge/target/featureflow-flink-bridge-0.1.0.jar) come from the environment;
-- featureflow submit fills them for the local stack. ${NAME:-default} placeholders fall back to
-- the default topic, group and transactional id names.

-- HOP's window_start/window_end are TIMESTAMP(3) wall-clock time in the session time zone; the
-- bridge reads the zone at LOAD MODULE time to turn them back into epoch ms, so set it first.
SET 'table.local-time-zone' = 'UTC';

-- Name the job so that `featureflow jobs` shows what it is.
SET 'pipeline.name' = 'featureflow-clickstream-features-udf';

-- Subtasks per operator: up to the events topic's partitions (one source subtask reads one or
-- more partitions; more subtasks than partitions sit idle). The job needs as many free slots.
SET 'parallelism.default' = '${PARALLELISM:-1}';

-- Let many windows wait on the UDF service at once: the bridge batches them into one call.
SET 'table.exec.async-scalar.max-concurrent-operations' = '4096';

-- Checkpoints commit the exactly-once Kafka sink's transactions: rows appear once per checkpoint.
SET 'execution.checkpointing.interval' = '5 s';

-- Make the featureflow Flink module (the flink-bridge jar) available to this session's jobs.
ADD JAR '${FEATUREFLOW_BRIDGE_JAR}';

-- Load the functions of the UDF service as built-in functions: clickstream_features(...).
LOAD MODULE featureflow WITH ('address' = '${UDF_ADDRESS}');

-- Site events as producers write them: Avro in the exact column order of
-- schemas/click_event.avsc (the enum `event_type` is a STRING here: Flink has no enums; the
-- optional `referrer` is a nullable STRING, union(null, string) on the wire).
CREATE TEMPORARY TABLE click_events (
  event_id STRING NOT NULL,
  user_id STRING NOT NULL,
  session_id STRING NOT NULL,
  page STRING NOT NULL,
  event_type STRING NOT NULL,
  referrer STRING,
  `timestamp` BIGINT NOT NULL,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${CLICK_EVENTS_TOPIC:-click.events}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = '${GROUP_ID:-featureflow-clickstream-features-udf}',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'avro'
);

-- One row per fired window and user, in the column order of schemas/clickstream_features.avsc,
-- keyed by user id, written in Kafka transactions committed on checkpoints (exactly-once; the
-- transaction timeout stays under the broker's default transaction.max.timeout.ms of 15 min).
CREATE TEMPORARY TABLE clickstream_features (
  entity_id STRING NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  event_count BIGINT NOT NULL,
  page_view_count BIGINT NOT NULL,
  click_count BIGINT NOT NULL,
  add_to_cart_count BIGINT NOT NULL,
  purchase_count BIGINT NOT NULL,
  distinct_pages BIGINT NOT NULL,
  distinct_sessions BIGINT NOT NULL,
  conversion_rate DOUBLE NOT NULL,
  avg_gap_seconds DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${FEATURES_CLICKSTREAM_TOPIC:-features.clickstream}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.transaction.timeout.ms' = '600000',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${TRANSACTIONAL_ID_PREFIX:-featureflow-clickstream-features-udf}',
  'key.format' = 'raw',
  'key.fields' = 'entity_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- Late site events go to the late topic unchanged, keyed by user like the events topic.
CREATE TEMPORARY TABLE click_events_late (
  event_id STRING NOT NULL,
  user_id STRING NOT NULL,
  session_id STRING NOT NULL,
  page STRING NOT NULL,
  event_type STRING NOT NULL,
  referrer STRING,
  `timestamp` BIGINT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${CLICK_EVENTS_LATE_TOPIC:-click.events.late}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'key.fields' = 'user_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- One job for both INSERTs: they share one Kafka source, so the late filter sees the watermark
-- the window operator sees (exactly, at parallelism 1; with more source subtasks the window
-- operator's watermark can lag, so an event may be reported late that a window still took).
EXECUTE STATEMENT SET
BEGIN

-- Each user's HOP window events go to the TypeScript function in one array; its ROW result is
-- spread into the 12 feature columns.
INSERT INTO clickstream_features
SELECT
  f.entity_id,
  f.window_start,
  f.window_end,
  f.event_count,
  f.page_view_count,
  f.click_count,
  f.add_to_cart_count,
  f.purchase_count,
  f.distinct_pages,
  f.distinct_sessions,
  f.conversion_rate,
  f.avg_gap_seconds
FROM (
  SELECT
    clickstream_features(
      user_id,
      window_start,
      window_end,
      ARRAY_AGG(ROW(event_type, page, session_id, `timestamp`))
    ) AS f
  FROM TABLE(
    HOP(TABLE click_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)
  )
  GROUP BY user_id, window_start, window_end
);

-- An event is late when the watermark already reached the moment its last window fired: the
-- test the window operator applies before dropping it. Same slide and size as the HOP above
-- (featureflow submit refuses a file where they differ).
INSERT INTO click_events_late
SELECT event_id, user_id, session_id, page, event_type, referrer, `timestamp`
FROM click_events
WHERE CURRENT_WATERMARK(event_time) IS NOT NULL
  AND CURRENT_WATERMARK(event_time)
    >= last_window_fire_time(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE);

END;
