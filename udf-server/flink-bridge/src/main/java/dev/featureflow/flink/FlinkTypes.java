package dev.featureflow.flink;

import dev.featureflow.udf.v1.DataType;
import dev.featureflow.udf.v1.Field;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * The protocol's types (udf.proto {@code DataType}) in Flink: the declared Flink type, which SQL
 * argument types a protocol type accepts, and the conversion of argument values to wire values.
 */
final class FlinkTypes {
  private FlinkTypes() {}

  /** The Flink type a protocol type declares (what type inference reports). */
  static org.apache.flink.table.types.DataType toFlink(DataType type) {
    org.apache.flink.table.types.DataType base =
        switch (type.getKind()) {
          case TYPE_KIND_BOOLEAN -> DataTypes.BOOLEAN();
          case TYPE_KIND_INT -> DataTypes.INT();
          case TYPE_KIND_BIGINT -> DataTypes.BIGINT();
          case TYPE_KIND_DOUBLE -> DataTypes.DOUBLE();
          case TYPE_KIND_STRING -> DataTypes.STRING();
          case TYPE_KIND_TIMESTAMP_MILLIS -> DataTypes.TIMESTAMP(3);
          case TYPE_KIND_ARRAY -> DataTypes.ARRAY(toFlink(type.getElement()));
          case TYPE_KIND_ROW -> {
            List<DataTypes.Field> fields = new ArrayList<>();
            for (Field field : type.getFieldsList()) {
              fields.add(DataTypes.FIELD(field.getName(), toFlink(field.getType())));
            }
            yield DataTypes.ROW(fields);
          }
          default ->
              throw new IllegalArgumentException(
                  "the UDF service declares a type this bridge does not know: "
                      + type.getKind()
                      + " (upgrade the featureflow Flink bridge)");
        };
    return type.getNullable() ? base.nullable() : base.notNull();
  }

  /**
   * Why a SQL argument of type {@code actual} cannot be passed where the protocol declares
   * {@code expected}, or null when it can. Nullability is not checked here: NULLs are refused per
   * row at run time, because Flink types nested fields of ARRAY_AGG(ROW(...)) as nullable even
   * when the columns are NOT NULL.
   */
  static String mismatch(LogicalType actual, DataType expected) {
    switch (expected.getKind()) {
      case TYPE_KIND_ARRAY -> {
        if (!(actual instanceof ArrayType array)) {
          return expectedInstead(actual, expected);
        }
        String inner = mismatch(array.getElementType(), expected.getElement());
        return inner == null ? null : "an ARRAY whose elements are " + inner;
      }
      case TYPE_KIND_ROW -> {
        if (!(actual instanceof RowType row)) {
          return expectedInstead(actual, expected);
        }
        if (row.getFieldCount() != expected.getFieldsCount()) {
          return "a ROW of "
              + row.getFieldCount()
              + " fields where "
              + expected.getFieldsCount()
              + " are expected ("
              + fieldNames(expected)
              + ", in this order)";
        }
        for (int i = 0; i < row.getFieldCount(); i++) {
          String inner = mismatch(row.getTypeAt(i), expected.getFields(i).getType());
          if (inner != null) {
            return "a ROW whose field "
                + (i + 1)
                + " ("
                + expected.getFields(i).getName()
                + ") is "
                + inner;
          }
        }
        return null;
      }
      default -> {
        boolean ok =
            switch (expected.getKind()) {
              case TYPE_KIND_BOOLEAN -> actual.is(LogicalTypeRoot.BOOLEAN);
              case TYPE_KIND_INT, TYPE_KIND_BIGINT -> actual.is(LogicalTypeFamily.INTEGER_NUMERIC);
              case TYPE_KIND_DOUBLE -> actual.is(LogicalTypeFamily.NUMERIC);
              case TYPE_KIND_STRING -> actual.is(LogicalTypeFamily.CHARACTER_STRING);
              case TYPE_KIND_TIMESTAMP_MILLIS ->
                  actual.is(LogicalTypeRoot.BIGINT)
                      || actual.is(LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE)
                      || actual.is(LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE);
              default -> false;
            };
        return ok ? null : expectedInstead(actual, expected);
      }
    }
  }

  private static String expectedInstead(LogicalType actual, DataType expected) {
    return actual.asSummaryString() + " where " + describe(expected) + " is expected";
  }

  private static String describe(DataType expected) {
    return switch (expected.getKind()) {
      case TYPE_KIND_TIMESTAMP_MILLIS -> "TIMESTAMP(3), TIMESTAMP_LTZ(3) or BIGINT epoch ms";
      case TYPE_KIND_INT, TYPE_KIND_BIGINT -> "an integer type";
      case TYPE_KIND_DOUBLE -> "a numeric type";
      case TYPE_KIND_STRING -> "a character string";
      default -> toFlink(expected).getLogicalType().asSummaryString();
    };
  }

  private static String fieldNames(DataType row) {
    List<String> names = new ArrayList<>();
    for (Field field : row.getFieldsList()) {
      names.add(field.getName());
    }
    return String.join(", ", names);
  }

  /** A window bound or event time as epoch milliseconds. */
  static long epochMillis(Object value, ZoneId zone) {
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof LocalDateTime time) {
      return time.atZone(zone).toInstant().toEpochMilli();
    }
    if (value instanceof Instant instant) {
      return instant.toEpochMilli();
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalArgumentException(
        "expected epoch milliseconds, TIMESTAMP or TIMESTAMP_LTZ, got " + describeValue(value));
  }

  static String describeValue(Object value) {
    return value == null ? "NULL" : value + " (" + value.getClass().getSimpleName() + ")";
  }
}
