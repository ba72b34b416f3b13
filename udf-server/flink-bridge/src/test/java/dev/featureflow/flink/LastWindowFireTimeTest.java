package dev.featureflow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * last_window_fire_time in a real planner: it takes HOP's own interval literals (MINUTE, SECOND,
 * HOUR resolutions) and gives the end of the event's last window minus 1 ms.
 */
class LastWindowFireTimeTest {
  @Test
  void givesTheLastWindowsEndMinusOneMillisecond() {
    assertEquals(299_999L, LastWindowFireTime.lastWindowFireMs(0, 60_000, 300_000));
    assertEquals(299_999L, LastWindowFireTime.lastWindowFireMs(59_999, 60_000, 300_000));
    assertEquals(359_999L, LastWindowFireTime.lastWindowFireMs(60_000, 60_000, 300_000));
    assertEquals(
        1_700_000_100_000L + 600_000 - 1,
        LastWindowFireTime.lastWindowFireMs(1_700_000_123_456L, 60_000, 600_000));
    assertEquals(39_999L, LastWindowFireTime.lastWindowFireMs(10_001, 10_000, 30_000));
  }

  @Test
  void takesTheHopsIntervalLiteralsInSql() throws Exception {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    tEnv.getConfig().set("table.local-time-zone", "UTC");
    tEnv.createTemporarySystemFunction(LastWindowFireTime.NAME, LastWindowFireTime.class);
    List<Long> fired = new ArrayList<>();
    try (CloseableIterator<Row> rows =
        tEnv.executeSql(
                "SELECT CAST(last_window_fire_time(TO_TIMESTAMP_LTZ(ts, 3), INTERVAL '1' MINUTE,"
                    + " INTERVAL '5' MINUTE) AS TIMESTAMP(3)),"
                    + " CAST(last_window_fire_time(TO_TIMESTAMP_LTZ(ts, 3), INTERVAL '30' SECOND,"
                    + " INTERVAL '1' HOUR) AS TIMESTAMP(3))"
                    + " FROM (VALUES (CAST(1700000123456 AS BIGINT))) AS t(ts)")
            .collect()) {
      rows.forEachRemaining(
          row -> {
            fired.add(
                ((java.time.LocalDateTime) row.getField(0))
                    .toInstant(java.time.ZoneOffset.UTC)
                    .toEpochMilli());
            fired.add(
                ((java.time.LocalDateTime) row.getField(1))
                    .toInstant(java.time.ZoneOffset.UTC)
                    .toEpochMilli());
          });
    }
    assertEquals(List.of(1_700_000_100_000L + 300_000 - 1, 1_700_000_100_000L + 3_600_000 - 1), fired);
  }
}
