package dev.featureflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The Java baseline against the worked example of docs/windows.md: card c1 with 10.0 at 00:00:10 and
 * 30.0 at 00:02:00, card c2 with one event at 00:10:00; twelve rows, S = 5 min, L = 1 min.
 */
class TransactionFeaturesJavaTest {
  private static final long MINUTE = 60_000;
  private static final long SIZE = 5 * MINUTE;
  /** 2024-03-01T00:00:00Z: the example's 00:00, a multiple of the slide. */
  private static final long T0 = 1_709_251_200_000L;

  /** The example's events: card, amount, merchant, country, epoch ms. */
  private static final Object[][] EVENTS = {
    {"c1", 10.0, "m-1", "DE", T0 + 10_000},
    {"c1", 30.0, "m-2", "DE", T0 + 2 * MINUTE},
    {"c2", 5.0, "m-3", "FR", T0 + 10 * MINUTE},
  };

  /** What the bridge declares for the TypeScript transaction_features, as Flink prints it. */
  private static final String BRIDGE_RESULT_TYPE =
      "ROW<`entity_id` STRING NOT NULL, `window_start` BIGINT NOT NULL, `window_end` BIGINT NOT NULL,"
          + " `txn_count` BIGINT NOT NULL, `amount_sum` DOUBLE NOT NULL, `amount_avg` DOUBLE NOT NULL,"
          + " `amount_max` DOUBLE NOT NULL, `amount_min` DOUBLE NOT NULL, `amount_std` DOUBLE NOT NULL,"
          + " `distinct_merchants` BIGINT NOT NULL, `distinct_countries` BIGINT NOT NULL,"
          + " `high_amount_count` BIGINT NOT NULL, `velocity_score` DOUBLE NOT NULL>";

  /** The twelve rows the worked example lists, keyed "card end-minute". */
  private static Map<String, Row> expectedRows() {
    Map<String, Row> rows = new TreeMap<>();
    for (int end = 1; end <= 7; end++) {
      Row row;
      if (end <= 2) {
        row = expected("c1", end, 1, 10, 10, 10, 10, 0, 1, 0.1);
      } else if (end <= 5) {
        row = expected("c1", end, 2, 40, 20, 30, 10, 10, 2, 0.2);
      } else {
        row = expected("c1", end, 1, 30, 30, 30, 30, 0, 1, 0.1);
      }
      rows.put(key(row), row);
    }
    for (int end = 11; end <= 15; end++) {
      Row row = expected("c2", end, 1, 5, 5, 5, 5, 0, 1, 0.1);
      rows.put(key(row), row);
    }
    return rows;
  }

  private static Row expected(
      String card,
      int endMinute,
      long count,
      double sum,
      double avg,
      double max,
      double min,
      double std,
      long merchants,
      double velocity) {
    long end = T0 + endMinute * MINUTE;
    return Row.of(card, end - SIZE, end, count, sum, avg, max, min, std, merchants, 1L, 0L, velocity);
  }

  private static String key(Row row) {
    return row.getField(0) + " " + row.getField(2);
  }

  @Test
  void computesTheWorkedExampleWindowByWindow() {
    // The window assignment of docs/windows.md: every window [s, s + S) with s a multiple of L that holds t.
    Map<String, List<Row>> windows = new TreeMap<>();
    for (Object[] e : EVENTS) {
      long t = (Long) e[4];
      for (long s = t - t % MINUTE; s > t - SIZE; s -= MINUTE) {
        windows
            .computeIfAbsent(e[0] + " " + s, k -> new ArrayList<>())
            .add(Row.of(e[1], e[2], e[3], e[4]));
      }
    }
    Map<String, Row> actual = new TreeMap<>();
    for (Map.Entry<String, List<Row>> window : windows.entrySet()) {
      String[] parts = window.getKey().split(" ");
      long start = Long.parseLong(parts[1]);
      Row row =
          TransactionFeaturesJava.compute(
              parts[0], start, start + SIZE, window.getValue().toArray(new Row[0]));
      actual.put(key(row), row);
    }
    assertEquals(expectedRows(), actual);
  }

  @Test
  void countsHighAmountsAndCapsVelocity() {
    Row[] events = new Row[12];
    for (int i = 0; i < events.length; i++) {
      events[i] = Row.of(i == 0 ? 1000.0 : 999.99, "m-" + (i % 3), i % 2 == 0 ? "DE" : "FR", T0 + i);
    }
    Row row = TransactionFeaturesJava.compute("c9", T0, T0 + SIZE, events);
    assertEquals(1L, row.getField(11)); // >= 1000.0 counts
    assertEquals(1.0, row.getField(12)); // 12 / (5 x 2.0) capped at 1
    assertEquals(3L, row.getField(9));
    assertEquals(2L, row.getField(10));
  }

  @Test
  void refusesAnEmptyWindow() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> TransactionFeaturesJava.compute("c1", T0, T0 + SIZE, new Row[0]));
    assertEquals(
        "transaction_features_java: window [1709251200000, 1709251500000) of 'c1' has no events"
            + " (empty windows emit no row)",
        error.getMessage());
  }

  @Test
  void runsInFlinkSqlOverHopArrayAggInTheSessionTimeZone() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
    // Not UTC: HOP's window_start is then wall-clock time in Kolkata, which the function must turn
    // back into the same epoch ms, as the bridge does.
    tEnv.getConfig().set("table.local-time-zone", "Asia/Kolkata");
    tEnv.executeSql(
        "CREATE TEMPORARY FUNCTION transaction_features_java AS '"
            + TransactionFeaturesJava.class.getName()
            + "'");
    List<Row> events = new ArrayList<>();
    for (Object[] e : EVENTS) {
      events.add(Row.of(e));
    }
    RowTypeInfo type =
        new RowTypeInfo(
            new TypeInformation<?>[] {
              Types.STRING, Types.DOUBLE, Types.STRING, Types.STRING, Types.LONG
            },
            new String[] {"card_id", "amount", "merchant_id", "country", "ts"});
    tEnv.createTemporaryView(
        "txn_events",
        env.fromData(events, type),
        Schema.newBuilder()
            .columnByExpression("event_time", "TO_TIMESTAMP_LTZ(ts, 3)")
            .watermark("event_time", "event_time - INTERVAL '5' SECOND")
            .build());
    String query =
        "SELECT f.* FROM ("
            + " SELECT transaction_features_java(card_id, window_start, window_end,"
            + "   ARRAY_AGG(ROW(amount, merchant_id, country, ts))) AS f"
            + " FROM TABLE(HOP(TABLE txn_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE,"
            + "   INTERVAL '5' MINUTE))"
            + " GROUP BY card_id, window_start, window_end)";
    assertEquals(
        BRIDGE_RESULT_TYPE,
        tEnv.sqlQuery(
                "SELECT transaction_features_java(card_id, window_start, window_end,"
                    + " ARRAY_AGG(ROW(amount, merchant_id, country, ts))) FROM TABLE(HOP(TABLE"
                    + " txn_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5'"
                    + " MINUTE)) GROUP BY card_id, window_start, window_end")
            .getResolvedSchema()
            .getColumnDataTypes()
            .get(0)
            .getLogicalType()
            .asSummaryString());
    Map<String, Row> actual = new TreeMap<>();
    try (CloseableIterator<Row> rows = tEnv.executeSql(query).collect()) {
      while (rows.hasNext()) {
        Row row = rows.next();
        // Positional, to compare with the expected rows (collect() gives named positions).
        Row plain = new Row(row.getArity());
        for (int i = 0; i < row.getArity(); i++) {
          plain.setField(i, row.getField(i));
        }
        actual.put(key(plain), plain);
      }
    }
    assertEquals(expectedRows(), actual);
  }
}
