-- Login features computed by the TypeScript function `login_features` (examples/logins/index.ts),
-- served by `featureflow udf-server` with these definitions and called from Flink SQL through the
-- featureflow module (the flink-bridge jar): a 10-minute window sliding by 1 minute per user,
-- watermark 5 s behind the largest event time. The same rows as `featureflow replay
-- --definitions examples/logins --job logins`; the events no window takes (late) go unchanged to
-- login.events.late.
-- Run: FEATUREFLOW_DEFINITIONS=examples/logins featureflow udf-server &
--      FEATUREFLOW_DEFINITIONS=examples/logins featureflow submit examples/logins/logins.sql
-- ${KAFKA_BROKERS}, ${UDF_ADDRESS} and ${FEATUREFLOW_BRIDGE_JAR} come from the environment;
-- featureflow submit fills them for the local stack. ${NAME:-default} placeholders fall back to
-- the job's topics and default group and transactional id names.

-- HOP's window_start/window_end are TIMESTAMP(3) wall-clock time in the session time zone; the
-- bridge reads the zone at LOAD MODULE time to turn them back into epoch ms, so set it first.
SET 'table.local-time-zone' = 'UTC';

-- Name the job so that `featureflow jobs` shows what it is.
SET 'pipeline.name' = 'featureflow-login-features-udf';

-- Subtasks per operator: up to the events topic's partitions; the job needs as many free slots.
SET 'parallelism.default' = '${PARALLELISM:-1}';

-- Let many windows wait on the UDF service at once: the bridge batches them into one call.
SET 'table.exec.async-scalar.max-concurrent-operations' = '4096';

-- Checkpoints commit the exactly-once Kafka sink's transactions: rows appear once per checkpoint.
SET 'execution.checkpointing.interval' = '5 s';

-- Make the featureflow Flink module (the flink-bridge jar) available to this session's jobs.
ADD JAR '${FEATUREFLOW_BRIDGE_JAR}';

-- Load the functions of the UDF service as built-in functions: login_features(...).
LOAD MODULE featureflow WITH ('address' = '${UDF_ADDRESS}');

-- Login attempts as producers write them: Avro in the column order of login_event.avsc.
CREATE TEMPORARY TABLE login_events (
  event_id STRING NOT NULL,
  user_id STRING NOT NULL,
  ip STRING NOT NULL,
  country STRING NOT NULL,
  success BOOLEAN NOT NULL,
  `timestamp` BIGINT NOT NULL,
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${LOGIN_EVENTS_TOPIC:-login.events}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = '${GROUP_ID:-featureflow-login-features-udf}',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'avro'
);

-- One row per fired window and user, in the order of the job's features (entity_id,
-- window_start, window_end first), keyed by user id, written in Kafka transactions committed on
-- checkpoints (exactly-once).
CREATE TEMPORARY TABLE login_features (
  entity_id STRING NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  login_count BIGINT NOT NULL,
  failed_login_count BIGINT NOT NULL,
  distinct_ips BIGINT NOT NULL,
  distinct_countries BIGINT NOT NULL,
  failure_rate DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${FEATURES_LOGINS_TOPIC:-features.logins}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.transaction.timeout.ms' = '600000',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${TRANSACTIONAL_ID_PREFIX:-featureflow-login-features-udf}',
  'key.format' = 'raw',
  'key.fields' = 'entity_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- Late login attempts go to the late topic unchanged, keyed by user like the events topic.
CREATE TEMPORARY TABLE login_events_late (
  event_id STRING NOT NULL,
  user_id STRING NOT NULL,
  ip STRING NOT NULL,
  country STRING NOT NULL,
  success BOOLEAN NOT NULL,
  `timestamp` BIGINT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = '${LOGIN_EVENTS_LATE_TOPIC:-login.events.late}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'raw',
  'key.fields' = 'user_id',
  'value.format' = 'avro',
  'value.fields-include' = 'ALL'
);

-- One job for both INSERTs: they share one Kafka source, so the late filter sees the watermark
-- the window operator sees.
EXECUTE STATEMENT SET
BEGIN

-- Each user's HOP window events go to the TypeScript function in one array (the fields it
-- reads, in the order of its definition's `reads`); its ROW result is spread into the columns.
INSERT INTO login_features
SELECT
  f.entity_id,
  f.window_start,
  f.window_end,
  f.login_count,
  f.failed_login_count,
  f.distinct_ips,
  f.distinct_countries,
  f.failure_rate
FROM (
  SELECT
    login_features(
      user_id,
      window_start,
      window_end,
      ARRAY_AGG(ROW(success, ip, country))
    ) AS f
  FROM TABLE(
    HOP(TABLE login_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '10' MINUTE)
  )
  GROUP BY user_id, window_start, window_end
);

-- An event is late when the watermark already reached the moment its last window fired: the
-- test the window operator applies before dropping it. Same slide and size as the HOP above
-- (featureflow submit refuses a file where they differ).
INSERT INTO login_events_late
SELECT event_id, user_id, ip, country, success, `timestamp`
FROM login_events
WHERE CURRENT_WATERMARK(event_time) IS NOT NULL
  AND CURRENT_WATERMARK(event_time)
    >= last_window_fire_time(event_time, INTERVAL '1' MINUTE, INTERVAL '10' MINUTE);

END;
