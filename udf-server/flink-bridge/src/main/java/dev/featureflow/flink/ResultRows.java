package dev.featureflow.flink;

import dev.featureflow.udf.v1.Column;
import dev.featureflow.udf.v1.Field;
import dev.featureflow.udf.v1.TypeKind;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.types.Row;

/**
 * An Invoke answer as Flink rows: row i from value i of every result column, or the per-row
 * error the service gave for window i.
 */
final class ResultRows {
  private final InvokeResponseReader.Response response;
  private final int fieldCount;
  private final ZoneId zone;
  /** Per column: a TIMESTAMP_MILLIS result, to be given to Flink as LocalDateTime. */
  private final boolean[] timestamps;

  /** The columns, as an array: read once per value. */
  private final InvokeResponseReader.ResultColumn[] columns;

  private ResultRows(InvokeResponseReader.Response response, List<Field> fields, ZoneId zone) {
    this.response = response;
    this.fieldCount = fields.size();
    this.zone = zone;
    this.columns = response.columns().toArray(new InvokeResponseReader.ResultColumn[0]);
    // Resolved once per batch: the generated getKind() converts the enum number on every call.
    this.timestamps = new boolean[fieldCount];
    for (int c = 0; c < fieldCount; c++) {
      timestamps[c] = fields.get(c).getType().getKind() == TypeKind.TYPE_KIND_TIMESTAMP_MILLIS;
    }
  }

  /**
   * Checks the answer's shape against the result type; throws IllegalStateException with the
   * mismatch (a service and bridge that disagree on the protocol).
   */
  static ResultRows of(InvokeResponseReader.Response response, int expectedRows, List<Field> fields, ZoneId zone) {
    if (response.rowCount() != expectedRows) {
      throw new IllegalStateException(
          "the service answered " + response.rowCount() + " rows for " + expectedRows + " windows");
    }
    if (response.columns().size() != fields.size()) {
      throw new IllegalStateException(
          "the service answered "
              + response.columns().size()
              + " result columns where Describe declared "
              + fields.size());
    }
    for (int c = 0; c < fields.size(); c++) {
      InvokeResponseReader.ResultColumn column = response.columns().get(c);
      int expectedMember = memberOf(fields.get(c).getType().getKind());
      if (column.member != expectedMember || column.size != expectedRows) {
        throw new IllegalStateException(
            "result column "
                + fields.get(c).getName()
                + " has "
                + column.size
                + " values of member "
                + column.member
                + " (expected "
                + expectedRows
                + " of member "
                + expectedMember
                + ")");
      }
      if (column.member == Column.STRINGS_FIELD_NUMBER) {
        for (int i = 0; i < column.size; i++) {
          if (column.indices[i] >= column.dictionary.size()) {
            throw new IllegalStateException(
                "result column " + fields.get(c).getName() + " has a dictionary index out of range");
          }
        }
      }
    }
    return new ResultRows(response, fields, zone);
  }

  private static int memberOf(TypeKind kind) {
    return switch (kind) {
      case TYPE_KIND_DOUBLE -> Column.DOUBLES_FIELD_NUMBER;
      case TYPE_KIND_BIGINT, TYPE_KIND_TIMESTAMP_MILLIS -> Column.LONGS_FIELD_NUMBER;
      case TYPE_KIND_INT -> Column.INTS_FIELD_NUMBER;
      case TYPE_KIND_BOOLEAN -> Column.BOOLS_FIELD_NUMBER;
      default -> Column.STRINGS_FIELD_NUMBER;
    };
  }

  /** The service's reason for window {@code row}, or null when it has a row. */
  String error(int row) {
    return response.errors()[row];
  }

  Row row(int row) {
    Row result = Row.withPositions(fieldCount);
    for (int c = 0; c < fieldCount; c++) {
      InvokeResponseReader.ResultColumn column = columns[c];
      result.setField(
          c,
          switch (column.member) {
            case Column.DOUBLES_FIELD_NUMBER -> column.doubles[row];
            case Column.LONGS_FIELD_NUMBER ->
                timestamps[c]
                    ? LocalDateTime.ofInstant(Instant.ofEpochMilli(column.longs[row]), zone)
                    : (Object) column.longs[row];
            case Column.INTS_FIELD_NUMBER -> column.ints[row];
            case Column.BOOLS_FIELD_NUMBER -> column.bools[row];
            default -> column.dictionary.get(column.indices[row]);
          });
    }
    return result;
  }
}
