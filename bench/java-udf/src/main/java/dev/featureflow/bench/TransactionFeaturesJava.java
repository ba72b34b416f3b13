package dev.featureflow.bench;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.InputGroup;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.types.Row;

/**
 * Benchmark only: {@code transaction_features} written as a plain Java scalar function, the
 * baseline for "should I have written this UDF in Java?" (bench/flink-udf-vs-java.ts). Same
 * arguments and same ROW result as the TypeScript function behind the bridge, same arithmetic as
 * src/jobs/transaction-features.ts (docs/features.md): events summed in array order,
 * two-pass population standard deviation that is exactly 0 when every amount is equal,
 * velocity min(1, n / (window minutes x 2.0)), high amounts those >= 1000.0.
 *
 * <p>HOP's window bounds are TIMESTAMP(3) wall-clock time in the session time zone. Like the
 * bridge (FeatureflowModuleFactory), the zone is read from the session's {@code
 * table.local-time-zone} at planning time ({@link #specialize}), 'default' meaning the JVM's zone,
 * and travels to the TaskManagers with the function.
 */
public final class TransactionFeaturesJava extends ScalarFunction implements SpecializedFunction {
  private static final long serialVersionUID = 1L;

  static final double VELOCITY_THRESHOLD_PER_MINUTE = 2.0;
  static final double HIGH_AMOUNT_THRESHOLD = 1000.0;
  private static final double MS_PER_MINUTE = 60_000.0;

  /** The result, as the TypeScript function's Describe declares it (schemas/transaction_features.avsc). */
  static final String RESULT_TYPE =
      "ROW<entity_id STRING NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL,"
          + " txn_count BIGINT NOT NULL, amount_sum DOUBLE NOT NULL, amount_avg DOUBLE NOT NULL,"
          + " amount_max DOUBLE NOT NULL, amount_min DOUBLE NOT NULL, amount_std DOUBLE NOT NULL,"
          + " distinct_merchants BIGINT NOT NULL, distinct_countries BIGINT NOT NULL,"
          + " high_amount_count BIGINT NOT NULL, velocity_score DOUBLE NOT NULL>";

  /** Null until the planner specialised the function for a session. */
  private final String zoneId;

  private transient ZoneId zone;

  /** What CREATE FUNCTION instantiates; the planner then calls {@link #specialize}. */
  public TransactionFeaturesJava() {
    this(null);
  }

  TransactionFeaturesJava(String zoneId) {
    this.zoneId = zoneId;
    this.zone = zoneId == null ? null : ZoneId.of(zoneId);
  }

  @Override
  public UserDefinedFunction specialize(SpecializedContext context) {
    String configured = context.getConfiguration().get(TableConfigOptions.LOCAL_TIME_ZONE);
    String resolved =
        TableConfigOptions.LOCAL_TIME_ZONE.defaultValue().equals(configured)
            ? ZoneId.systemDefault().getId()
            : ZoneId.of(configured).getId();
    return new TransactionFeaturesJava(resolved);
  }

  @Override
  public void open(FunctionContext context) {
    if (zoneId == null) {
      throw new IllegalStateException(
          "transaction_features_java was not specialised by the planner: no session time zone to"
              + " turn window bounds into epoch ms");
    }
    zone = ZoneId.of(zoneId);
  }

  /** Called once per window by the generated code. {@code events} arrives as Flink's Row[]. */
  public @DataTypeHint(RESULT_TYPE) Row eval(
      String cardId,
      @DataTypeHint("TIMESTAMP(3)") LocalDateTime windowStart,
      @DataTypeHint("TIMESTAMP(3)") LocalDateTime windowEnd,
      @DataTypeHint(inputGroup = InputGroup.ANY) Object events) {
    if (cardId == null || windowStart == null || windowEnd == null || events == null) {
      throw new IllegalArgumentException(
          "transaction_features_java: NULL argument (card_id "
              + cardId
              + ", window_start "
              + windowStart
              + ", window_end "
              + windowEnd
              + ")");
    }
    if (!(events instanceof Row[] rows)) {
      throw new IllegalArgumentException(
          "transaction_features_java: events is a "
              + events.getClass().getName()
              + " (expected ARRAY<ROW<amount DOUBLE, merchant_id STRING, country STRING, `timestamp` BIGINT>>)");
    }
    return compute(
        cardId,
        windowStart.atZone(zone).toInstant().toEpochMilli(),
        windowEnd.atZone(zone).toInstant().toEpochMilli(),
        rows);
  }

  /** The features of one window [windowStart, windowEnd) in epoch ms; events as ROW(amount, merchant_id, country, timestamp). */
  static Row compute(String entityId, long windowStart, long windowEnd, Row[] events) {
    int n = events.length;
    if (n == 0) {
      throw new IllegalArgumentException(
          "transaction_features_java: window ["
              + windowStart
              + ", "
              + windowEnd
              + ") of '"
              + entityId
              + "' has no events (empty windows emit no row)");
    }
    double[] amounts = new double[n];
    Set<String> merchants = new HashSet<>();
    Set<String> countries = new HashSet<>();
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    long highAmountCount = 0;
    for (int i = 0; i < n; i++) {
      Row event = events[i];
      Object amountField = event.getField(0);
      Object merchant = event.getField(1);
      Object country = event.getField(2);
      if (amountField == null || merchant == null || country == null) {
        throw new IllegalArgumentException(
            "transaction_features_java: event " + i + " of '" + entityId + "' has a NULL field: " + event);
      }
      double amount = ((Number) amountField).doubleValue();
      amounts[i] = amount;
      sum += amount;
      if (amount > max) {
        max = amount;
      }
      if (amount < min) {
        min = amount;
      }
      if (amount >= HIGH_AMOUNT_THRESHOLD) {
        highAmountCount++;
      }
      merchants.add(merchant.toString());
      countries.add(country.toString());
    }
    double mean = sum / n;
    // Two passes, as the TypeScript function: sum-of-squares cancels badly for large similar
    // amounts, and equal amounts give exactly 0.
    double std = 0;
    if (max != min) {
      double squares = 0;
      for (double amount : amounts) {
        double deviation = amount - mean;
        squares += deviation * deviation;
      }
      std = Math.sqrt(squares / n);
    }
    double windowMinutes = (windowEnd - windowStart) / MS_PER_MINUTE;
    double velocity = Math.min(1.0, n / (windowMinutes * VELOCITY_THRESHOLD_PER_MINUTE));
    return Row.of(
        entityId,
        windowStart,
        windowEnd,
        (long) n,
        sum,
        mean,
        max,
        min,
        std,
        (long) merchants.size(),
        (long) countries.size(),
        highAmountCount,
        velocity);
  }

  @Override
  public boolean isDeterministic() {
    return true;
  }
}
