package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module in a real Flink planner and local cluster, against the real TypeScript service:
 * LOAD MODULE, type inference of the declared ROW, and a HOP window aggregation whose
 * ARRAY_AGG(ROW(...)) feeds transaction_features.
 */
class FeatureflowModuleSqlTest {
  /** What Describe declares for transaction_features, as Flink prints it. */
  static final String TRANSACTION_ROW =
      "ROW<`entity_id` STRING NOT NULL, `window_start` BIGINT NOT NULL, `window_end` BIGINT NOT NULL,"
          + " `txn_count` BIGINT NOT NULL, `amount_sum` DOUBLE NOT NULL, `amount_avg` DOUBLE NOT NULL,"
          + " `amount_max` DOUBLE NOT NULL, `amount_min` DOUBLE NOT NULL, `amount_std` DOUBLE NOT NULL,"
          + " `distinct_merchants` BIGINT NOT NULL, `distinct_countries` BIGINT NOT NULL,"
          + " `high_amount_count` BIGINT NOT NULL, `velocity_score` DOUBLE NOT NULL>";

  private static TypeScriptUdfServer server;

  @BeforeAll
  static void startServer() {
    server = TypeScriptUdfServer.start(TypeScriptUdfServer.freePort());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private String loadModule(String extraOptions) {
    return "LOAD MODULE featureflow WITH ('address' = '" + server.address + "'" + extraOptions + ")";
  }

  @Test
  void listsTheServicesFunctionsAndInfersTheDeclaredRowType() {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.executeSql(loadModule(""));
    List<String> functions = Arrays.asList(tEnv.listFunctions());
    assertTrue(functions.contains("transaction_features"), functions.toString());
    assertTrue(functions.contains("clickstream_features"), functions.toString());

    String type =
        tEnv.sqlQuery(
                "SELECT transaction_features('card-1', TIMESTAMP '2024-03-01 00:00:00',"
                    + " TIMESTAMP '2024-03-01 00:05:00',"
                    + " ARRAY[ROW(10.5, 'm-1', 'DE', CAST(1709251200000 AS BIGINT))]) AS f")
            .getResolvedSchema()
            .getColumnDataTypes()
            .get(0)
            .getLogicalType()
            .asSummaryString();
    assertEquals(TRANSACTION_ROW, type);
  }

  @Test
  void refusesArgumentsThatDoNotFitWithTheSignature() {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.executeSql(loadModule(""));
    ValidationException error =
        assertThrows(
            ValidationException.class,
            () ->
                tEnv.sqlQuery(
                    "SELECT transaction_features('card-1', TIMESTAMP '2024-03-01 00:00:00',"
                        + " TIMESTAMP '2024-03-01 00:05:00', ARRAY[ROW('ten', 'm-1', 'DE', 1)])"));
    String message = fullMessage(error);
    assertTrue(
        message.contains(
            "transaction_features: argument 4 (events) is an ARRAY whose elements are a ROW whose"
                + " field 1 (amount) is CHAR(3) NOT NULL where a numeric type is expected."),
        message);
    assertTrue(message.contains("The call is transaction_features(card_id STRING"), message);
  }

  @Test
  void computesEveryHopWindowOfAnArrayAggInBatches() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
    // A session zone other than UTC: HOP's window_start is then local wall-clock time, which the
    // bridge must turn back into the same epoch milliseconds.
    tEnv.getConfig().set("table.local-time-zone", "Asia/Kolkata");
    tEnv.getConfig().set("table.exec.async-scalar.max-concurrent-operations", "256");
    // A long max-wait: batches close when full, not when a loaded machine makes the source slow.
    tEnv.executeSql(loadModule(", 'batch.max-rows' = '64', 'batch.max-wait' = '2s'"));

    List<Row> events = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      long ts = Windows.START + i * 2_003L;
      events.add(Row.of("card-" + (i % 12), 5.0 + (i % 37), "m-" + (i % 9), "DE", ts));
    }
    RowTypeInfo type =
        new RowTypeInfo(
            new org.apache.flink.api.common.typeinfo.TypeInformation<?>[] {
              Types.STRING, Types.DOUBLE, Types.STRING, Types.STRING, Types.LONG
            },
            new String[] {"card_id", "amount", "merchant_id", "country", "ts"});
    tEnv.createTemporaryView(
        "txn",
        env.fromData(events, type),
        Schema.newBuilder()
            .columnByExpression("event_time", "TO_TIMESTAMP_LTZ(ts, 3)")
            .watermark("event_time", "event_time - INTERVAL '5' SECOND")
            .build());

    long callsBefore = server.invokeCalls();
    Map<String, Row> actual = new TreeMap<>();
    try (CloseableIterator<Row> rows =
        tEnv.executeSql(
                "SELECT f.entity_id, f.window_start, f.window_end, f.txn_count, f.amount_sum,"
                    + " f.amount_max, f.distinct_merchants FROM ("
                    + "  SELECT transaction_features(card_id, window_start, window_end,"
                    + "           ARRAY_AGG(ROW(amount, merchant_id, country, ts))) AS f"
                    + "  FROM TABLE(HOP(TABLE txn, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))"
                    + "  GROUP BY card_id, window_start, window_end)")
            .collect()) {
      rows.forEachRemaining(row -> actual.put(row.getField(0) + "@" + row.getField(1), row));
    }
    long calls = server.invokeCalls() - callsBefore;

    Map<String, long[]> counts = new TreeMap<>();
    Map<String, double[]> sums = new TreeMap<>();
    Map<String, Set<Object>> merchants = new TreeMap<>();
    for (Row event : events) {
      long ts = (Long) event.getField(4);
      long lastStart = ts - ts % 60_000;
      for (long start = lastStart; start > ts - Windows.SIZE_MS; start -= 60_000) {
        String key = event.getField(0) + "@" + start;
        counts.computeIfAbsent(key, k -> new long[1])[0]++;
        double[] sum = sums.computeIfAbsent(key, k -> new double[2]);
        sum[0] += (Double) event.getField(1);
        sum[1] = Math.max(sum[1], (Double) event.getField(1));
        merchants.computeIfAbsent(key, k -> new HashSet<>()).add(event.getField(2));
      }
    }
    assertEquals(counts.keySet(), actual.keySet());
    for (Map.Entry<String, Row> entry : actual.entrySet()) {
      Row row = entry.getValue();
      String key = entry.getKey();
      assertEquals((Long) row.getField(1) + Windows.SIZE_MS, row.getField(2), key);
      assertEquals(counts.get(key)[0], row.getField(3), key);
      assertEquals(sums.get(key)[0], (Double) row.getField(4), 1e-9 * sums.get(key)[0], key);
      assertEquals(sums.get(key)[1], row.getField(5), key);
      assertEquals((long) merchants.get(key).size(), row.getField(6), key);
    }
    // Batching batches: far fewer Invoke calls than windows.
    assertTrue(
        calls >= 1 && calls * 10 <= actual.size(),
        calls + " Invoke calls for " + actual.size() + " windows");
  }

  private static String fullMessage(Throwable error) {
    StringBuilder message = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      message.append(t.getMessage()).append('\n');
    }
    return message.toString();
  }
}
