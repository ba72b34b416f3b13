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
  private final List<Field> fields;
  private final TypeKind[] kinds;
  private final ZoneId zone;
  private final double[][] doubles;
  private final long[][] longs;
  private final int[][] ints;
  private final boolean[][] bools;
  private final String[][] strings;
  private int size;

  EventColumns(List<Field> fields, ZoneId zone, int initialCapacity) {
    this.fields = fields;
    this.zone = zone;
    int n = fields.size();
    kinds = new TypeKind[n];
    doubles = new double[n][];
    longs = new long[n][];
    ints = new int[n][];
    bools = new boolean[n][];
    strings = new String[n][];
    for (int c = 0; c < n; c++) {
      kinds[c] = fields.get(c).getType().getKind();
      switch (kinds[c]) {
        case TYPE_KIND_DOUBLE -> doubles[c] = new double[initialCapacity];
        case TYPE_KIND_BIGINT, TYPE_KIND_TIMESTAMP_MILLIS -> longs[c] = new long[initialCapacity];
        case TYPE_KIND_INT -> ints[c] = new int[initialCapacity];
        case TYPE_KIND_BOOLEAN -> bools[c] = new boolean[initialCapacity];
        case TYPE_KIND_STRING -> strings[c] = new String[initialCapacity];
        default ->
            throw new IllegalArgumentException(
                "event field " + fields.get(c).getName() + " has kind " + kinds[c]
                    + ", which the protocol does not carry in event columns");
      }
    }
  }

  int size() {
    return size;
  }

  /**
   * Why these events cannot be sent (a NULL, a value of the wrong kind), or null when they can.
   * Checked before anything is appended, so a refused window leaves the batch as it was.
   */
  String check(Object[] events) {
    for (int e = 0; e < events.length; e++) {
      if (!(events[e] instanceof Row row)) {
        return "event " + e + " is " + FlinkTypes.describeValue(events[e]) + " (expected a ROW)";
      }
      if (row.getArity() != kinds.length) {
        return "event " + e + " has " + row.getArity() + " fields (expected " + kinds.length + ")";
      }
      for (int c = 0; c < kinds.length; c++) {
        Object value = row.getField(c);
        boolean fits =
            switch (kinds[c]) {
              case TYPE_KIND_DOUBLE, TYPE_KIND_BIGINT, TYPE_KIND_INT -> value instanceof Number;
              case TYPE_KIND_TIMESTAMP_MILLIS ->
                  value instanceof Number
                      || value instanceof java.time.LocalDateTime
                      || value instanceof java.time.Instant;
              case TYPE_KIND_BOOLEAN -> value instanceof Boolean;
              case TYPE_KIND_STRING -> value != null;
              default -> false;
            };
        if (!fits) {
          return "event "
              + e
              + " field "
              + fields.get(c).getName()
              + " is "
              + FlinkTypes.describeValue(value)
              + " (NULLs cannot be sent: filter them out or COALESCE them)";
        }
      }
    }
    return null;
  }

  /** Appends the events of one window; {@link #check} them first. */
  void append(Object[] events) {
    ensureCapacity(size + events.length);
    for (Object event : events) {
      Row row = (Row) event;
      for (int c = 0; c < kinds.length; c++) {
        Object value = row.getField(c);
        switch (kinds[c]) {
          case TYPE_KIND_DOUBLE -> doubles[c][size] = ((Number) value).doubleValue();
          case TYPE_KIND_BIGINT -> longs[c][size] = ((Number) value).longValue();
          case TYPE_KIND_TIMESTAMP_MILLIS -> longs[c][size] = FlinkTypes.epochMillis(value, zone);
          case TYPE_KIND_INT -> ints[c][size] = ((Number) value).intValue();
          case TYPE_KIND_BOOLEAN -> bools[c][size] = (Boolean) value;
          default -> strings[c][size] = value.toString();
        }
      }
      size++;
    }
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
                    InvokeWire.dictionary(strings[c], size));
          };
    }
    return columns;
  }

  private void ensureCapacity(int needed) {
    int capacity = capacity();
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
      if (strings[c] != null) {
        strings[c] = Arrays.copyOf(strings[c], grown);
      }
    }
  }

  private int capacity() {
    if (kinds.length == 0) {
      return Integer.MAX_VALUE;
    }
    return switch (kinds[0]) {
      case TYPE_KIND_DOUBLE -> doubles[0].length;
      case TYPE_KIND_BIGINT, TYPE_KIND_TIMESTAMP_MILLIS -> longs[0].length;
      case TYPE_KIND_INT -> ints[0].length;
      case TYPE_KIND_BOOLEAN -> bools[0].length;
      default -> strings[0].length;
    };
  }
}
