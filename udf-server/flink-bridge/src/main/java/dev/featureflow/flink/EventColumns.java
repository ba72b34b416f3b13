package dev.featureflow.flink;

import dev.featureflow.udf.v1.Column;
import dev.featureflow.udf.v1.Field;
import dev.featureflow.udf.v1.TypeKind;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.types.Row;

/**
 * The events of one batch, column by column as the protocol sends them (one growable primitive
 * array per event field), filled window by window from Flink's {@code Row[]} arguments.
 */
final class EventColumns {
  private static final int DOUBLE = 0;
  private static final int BIGINT = 1;
  private static final int TIMESTAMP = 2;
  private static final int INT = 3;
  private static final int BOOLEAN = 4;
  private static final int STRING = 5;

  private final List<Field> fields;
  private final TypeKind[] kinds;
  /** The kind of each column as one of the constants above: resolved once, switched on per value. */
  private final int[] codes;
  private final ZoneId zone;
  private final double[][] doubles;
  private final long[][] longs;
  private final int[][] ints;
  private final boolean[][] bools;
  private final StringColumnWriter[] strings;
  private int size;
  /** Length of the primitive arrays (string columns grow by themselves). */
  private int capacity;
  /** The strings of the window being appended, held until all of its events fit. */
  private String[] pendingStrings = new String[0];

  EventColumns(List<Field> fields, ZoneId zone, int initialCapacity) {
    this.fields = fields;
    this.zone = zone;
    int n = fields.size();
    kinds = new TypeKind[n];
    codes = new int[n];
    doubles = new double[n][];
    longs = new long[n][];
    ints = new int[n][];
    bools = new boolean[n][];
    strings = new StringColumnWriter[n];
    capacity = initialCapacity;
    for (int c = 0; c < n; c++) {
      kinds[c] = fields.get(c).getType().getKind();
      switch (kinds[c]) {
        case TYPE_KIND_DOUBLE -> doubles[c] = new double[initialCapacity];
        case TYPE_KIND_BIGINT, TYPE_KIND_TIMESTAMP_MILLIS -> longs[c] = new long[initialCapacity];
        case TYPE_KIND_INT -> ints[c] = new int[initialCapacity];
        case TYPE_KIND_BOOLEAN -> bools[c] = new boolean[initialCapacity];
        case TYPE_KIND_STRING -> strings[c] = new StringColumnWriter(initialCapacity);
        default ->
            throw new IllegalArgumentException(
                "event field " + fields.get(c).getName() + " has kind " + kinds[c]
                    + ", which the protocol does not carry in event columns");
      }
      codes[c] =
          switch (kinds[c]) {
            case TYPE_KIND_DOUBLE -> DOUBLE;
            case TYPE_KIND_BIGINT -> BIGINT;
            case TYPE_KIND_TIMESTAMP_MILLIS -> TIMESTAMP;
            case TYPE_KIND_INT -> INT;
            case TYPE_KIND_BOOLEAN -> BOOLEAN;
            default -> STRING;
          };
    }
  }

  int size() {
    return size;
  }

  /**
   * Appends the events of one window, or returns why they cannot be sent (a NULL, a value of the
   * wrong kind) and leaves the batch as it was. One pass over Flink's rows: they are read once,
   * values checked as they are copied (a separate check pass read every field twice), and the
   * window counts only once all its events fit.
   */
  String append(Object[] events) {
    int n = events.length;
    ensureCapacity(size + n);
    if (pendingStrings.length < n * kinds.length) {
      pendingStrings = new String[Math.max(n * kinds.length, 2 * pendingStrings.length)];
    }
    String problem = copy(events, pendingStrings);
    if (problem == null) {
      for (int c = 0; c < kinds.length; c++) {
        if (codes[c] == STRING) {
          StringColumnWriter writer = strings[c];
          for (int e = 0; e < n; e++) {
            writer.add(pendingStrings[e * kinds.length + c]);
          }
        }
      }
      size += n;
    }
    Arrays.fill(pendingStrings, 0, n * kinds.length, null);
    return problem;
  }

  /** Copies the values past the last window, strings into {@code pending}; or says why not. */
  private String copy(Object[] events, String[] pending) {
    int n = events.length;
    for (int e = 0; e < n; e++) {
      if (!(events[e] instanceof Row row)) {
        return "event " + e + " is " + FlinkTypes.describeValue(events[e]) + " (expected a ROW)";
      }
      if (row.getArity() != kinds.length) {
        return "event " + e + " has " + row.getArity() + " fields (expected " + kinds.length + ")";
      }
      int at = size + e;
      for (int c = 0; c < kinds.length; c++) {
        Object value = row.getField(c);
        switch (codes[c]) {
          case DOUBLE -> {
            if (value instanceof Double d) {
              doubles[c][at] = d;
            } else if (value instanceof Number number) {
              doubles[c][at] = number.doubleValue();
            } else {
              return misfit(e, c, value);
            }
          }
          case BIGINT -> {
            if (value instanceof Long l) {
              longs[c][at] = l;
            } else if (value instanceof Number number) {
              longs[c][at] = number.longValue();
            } else {
              return misfit(e, c, value);
            }
          }
          case TIMESTAMP -> {
            if (value instanceof Long l) {
              longs[c][at] = l;
            } else if (value instanceof Number
                || value instanceof java.time.LocalDateTime
                || value instanceof java.time.Instant) {
              longs[c][at] = FlinkTypes.epochMillis(value, zone);
            } else {
              return misfit(e, c, value);
            }
          }
          case INT -> {
            if (value instanceof Number number) {
              ints[c][at] = number.intValue();
            } else {
              return misfit(e, c, value);
            }
          }
          case BOOLEAN -> {
            if (value instanceof Boolean b) {
              bools[c][at] = b;
            } else {
              return misfit(e, c, value);
            }
          }
          default -> {
            if (value == null) {
              return misfit(e, c, null);
            }
            pending[e * kinds.length + c] = value.toString();
          }
        }
      }
    }
    return null;
  }

  private String misfit(int event, int column, Object value) {
    return "event "
        + event
        + " field "
        + fields.get(column).getName()
        + " is "
        + FlinkTypes.describeValue(value)
        + " (NULLs cannot be sent: filter them out or COALESCE them)";
  }

  /** The columns, in field order, for {@link InvokeWire#encodeRequest}. */
  InvokeWire.EventColumn[] toWire() {
    InvokeWire.EventColumn[] columns = new InvokeWire.EventColumn[kinds.length];
    for (int c = 0; c < kinds.length; c++) {
      columns[c] =
          switch (kinds[c]) {
            case TYPE_KIND_DOUBLE ->
                new InvokeWire.EventColumn(Column.DOUBLES_FIELD_NUMBER, doubles[c], null, null, null, null);
            case TYPE_KIND_BIGINT, TYPE_KIND_TIMESTAMP_MILLIS ->
                new InvokeWire.EventColumn(Column.LONGS_FIELD_NUMBER, null, longs[c], null, null, null);
            case TYPE_KIND_INT ->
                new InvokeWire.EventColumn(Column.INTS_FIELD_NUMBER, null, null, ints[c], null, null);
            case TYPE_KIND_BOOLEAN ->
                new InvokeWire.EventColumn(Column.BOOLS_FIELD_NUMBER, null, null, null, bools[c], null);
            default ->
                new InvokeWire.EventColumn(
                    Column.STRINGS_FIELD_NUMBER,
                    null,
                    null,
                    null,
                    null,
                    strings[c].finish());
          };
    }
    return columns;
  }

  private void ensureCapacity(int needed) {
    if (needed <= capacity) {
      return;
    }
    int grown = Math.max(needed, capacity * 2);
    for (int c = 0; c < kinds.length; c++) {
      if (doubles[c] != null) {
        doubles[c] = Arrays.copyOf(doubles[c], grown);
      }
      if (longs[c] != null) {
        longs[c] = Arrays.copyOf(longs[c], grown);
      }
      if (ints[c] != null) {
        ints[c] = Arrays.copyOf(ints[c], grown);
      }
      if (bools[c] != null) {
        bools[c] = Arrays.copyOf(bools[c], grown);
      }
    }
    capacity = grown;
  }
}
