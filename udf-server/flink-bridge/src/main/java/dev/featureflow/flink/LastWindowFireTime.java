package dev.featureflow.flink;

import java.time.Duration;
import java.time.Instant;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.InputGroup;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * {@code last_window_fire_time(event_time, slide, size)}: the watermark at which the last HOP
 * window holding an event fires (its end minus 1 ms). A job's late filter calls it with the HOP's
 * own interval literals, {@code CURRENT_WATERMARK(event_time) >= last_window_fire_time(event_time,
 * INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)}, so the filter states the window the way the HOP
 * does instead of as millisecond arithmetic. Windows are aligned to the epoch, like Flink's HOP.
 */
public final class LastWindowFireTime extends ScalarFunction {
  public static final String NAME = "last_window_fire_time";

  public @DataTypeHint("TIMESTAMP_LTZ(3)") Instant eval(
      @DataTypeHint("TIMESTAMP_LTZ(3)") Instant eventTime,
      @DataTypeHint(inputGroup = InputGroup.ANY) Object slide,
      @DataTypeHint(inputGroup = InputGroup.ANY) Object size) {
    if (eventTime == null) {
      return null;
    }
    long slideMs = intervalMs(slide, "slide");
    long sizeMs = intervalMs(size, "size");
    return Instant.ofEpochMilli(lastWindowFireMs(eventTime.toEpochMilli(), slideMs, sizeMs));
  }

  /** The last window holding {@code timeMs} starts at the largest multiple of the slide <= it. */
  static long lastWindowFireMs(long timeMs, long slideMs, long sizeMs) {
    return timeMs - Math.floorMod(timeMs, slideMs) + sizeMs - 1;
  }

  private static long intervalMs(Object interval, String what) {
    if (interval instanceof Duration duration && !duration.isNegative() && !duration.isZero()) {
      return duration.toMillis();
    }
    throw new IllegalArgumentException(
        NAME
            + ": the "
            + what
            + " is "
            + interval
            + ", not a positive day-time interval (pass the HOP's literal, e.g. INTERVAL '1' MINUTE)");
  }
}
