package dev.featureflow.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.types.Row;

/** Generated transaction windows for the bridge tests, with the sums a test can check. */
final class Windows {
  private Windows() {}

  static final long START = 1_709_251_200_000L; // 2024-03-01T00:00:00Z
  static final long SIZE_MS = 300_000;

  record Window(String cardId, long start, long end, Row[] events) {
    Object[] arguments() {
      return new Object[] {cardId, start, end, events};
    }

    double amountSum() {
      double sum = 0;
      for (Row event : events) {
        sum += (Double) event.getField(0);
      }
      return sum;
    }
  }

  static List<Window> transactions(int count, int maxEvents, long seed) {
    Random random = new Random(seed);
    List<Window> windows = new ArrayList<>();
    for (int w = 0; w < count; w++) {
      long start = START + random.nextInt(1000) * 60_000L;
      Row[] events = new Row[1 + random.nextInt(maxEvents)];
      for (int e = 0; e < events.length; e++) {
        events[e] =
            Row.of(
                Math.round(random.nextDouble() * 50_000) / 100.0,
                "m-" + random.nextInt(500),
                random.nextBoolean() ? "DE" : "FR",
                start + random.nextInt((int) SIZE_MS));
      }
      windows.add(new Window("card-" + (w % 97), start, start + SIZE_MS, events));
    }
    return windows;
  }
}
