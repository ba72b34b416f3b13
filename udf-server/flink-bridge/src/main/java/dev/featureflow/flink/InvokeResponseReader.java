package dev.featureflow.flink;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.featureflow.udf.v1.Column;
import dev.featureflow.udf.v1.InvokeResponse;
import dev.featureflow.udf.v1.RowError;
import dev.featureflow.udf.v1.StringColumn;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * InvokeResponse (udf.proto) read directly from the wire into primitive arrays, without the
 * generated message objects (see {@link InvokeWire} for why). InvokeWireTest holds it to the
 * generated classes.
 */
final class InvokeResponseReader {
  private InvokeResponseReader() {}

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** One result column, read: one array filled according to its kind. */
  static final class ResultColumn {
    int member;
    double[] doubles = new double[0];
    long[] longs = new long[0];
    int[] ints = new int[0];
    boolean[] bools = new boolean[0];
    final List<String> dictionary = new ArrayList<>();
    int[] indices = new int[0];
    /** Values read (indices, for strings). */
    int size;
  }

  record Response(int rowCount, List<ResultColumn> columns, String[] errors) {}

  /** Throws IOException on bytes that are not an InvokeResponse. */
  static Response decodeResponse(byte[] bytes, int expectedRows) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    int rowCount = 0;
    List<ResultColumn> columns = new ArrayList<>();
    String[] errors = new String[expectedRows];
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == InvokeResponse.ROW_COUNT_FIELD_NUMBER
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
        rowCount = in.readUInt32();
      } else if (field == InvokeResponse.RESULT_COLUMNS_FIELD_NUMBER) {
        int limit = in.pushLimit(in.readRawVarint32());
        columns.add(readColumn(in, bytes, expectedRows));
        in.popLimit(limit);
      } else if (field == InvokeResponse.ERRORS_FIELD_NUMBER) {
        int limit = in.pushLimit(in.readRawVarint32());
        int row = 0;
        String reason = "";
        while (true) {
          int errorTag = in.readTag();
          if (errorTag == 0) {
            break;
          }
          switch (WireFormat.getTagFieldNumber(errorTag)) {
            case RowError.ROW_FIELD_NUMBER -> row = in.readUInt32();
            case RowError.REASON_FIELD_NUMBER -> reason = in.readStringRequireUtf8();
            default -> in.skipField(errorTag);
          }
        }
        in.popLimit(limit);
        if (row >= 0 && row < expectedRows) {
          errors[row] = reason;
        }
      } else {
        in.skipField(tag);
      }
    }
    return new Response(rowCount, columns, errors);
  }

  private static ResultColumn readColumn(CodedInputStream in, byte[] bytes, int expectedRows)
      throws IOException {
    ResultColumn column = new ResultColumn();
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return column;
      }
      int member = WireFormat.getTagFieldNumber(tag);
      if (member < Column.DOUBLES_FIELD_NUMBER || member > Column.STRINGS_FIELD_NUMBER) {
        in.skipField(tag);
        continue;
      }
      column.member = member;
      int limit = in.pushLimit(in.readRawVarint32());
      readMember(in, bytes, column, expectedRows);
      in.popLimit(limit);
    }
  }

  private static void readMember(
      CodedInputStream in, byte[] bytes, ResultColumn column, int expectedRows) throws IOException {
    switch (column.member) {
      case Column.DOUBLES_FIELD_NUMBER -> column.doubles = new double[expectedRows];
      case Column.LONGS_FIELD_NUMBER -> column.longs = new long[expectedRows];
      case Column.INTS_FIELD_NUMBER -> column.ints = new int[expectedRows];
      case Column.BOOLS_FIELD_NUMBER -> column.bools = new boolean[expectedRows];
      default -> column.indices = new int[expectedRows];
    }
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return;
      }
      int field = WireFormat.getTagFieldNumber(tag);
      boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
      if (packed
          && field == 1
          && (column.member == Column.DOUBLES_FIELD_NUMBER
              || column.member == Column.LONGS_FIELD_NUMBER)) {
        readFixed64s(in, bytes, column);
      } else if (column.member == Column.STRINGS_FIELD_NUMBER && field == StringColumn.DICTIONARY_FIELD_NUMBER) {
        column.dictionary.add(in.readStringRequireUtf8());
      } else if (field == 1 || (column.member == Column.STRINGS_FIELD_NUMBER && field == 2)) {
        int limit = packed ? in.pushLimit(in.readRawVarint32()) : -1;
        do {
          readValue(in, column);
        } while (packed && in.getBytesUntilLimit() > 0);
        if (packed) {
          in.popLimit(limit);
        }
      } else {
        in.skipField(tag);
      }
    }
  }

  /**
   * A packed run of doubles or 64-bit integers, taken from the array 8 bytes at a time (the
   * value-by-value path checks bounds and switches on the member once per value).
   */
  private static void readFixed64s(CodedInputStream in, byte[] bytes, ResultColumn column)
      throws IOException {
    int length = in.readRawVarint32();
    // The offset into `bytes`: decodeResponse reads the whole array from its start.
    int start = in.getTotalBytesRead();
    if (length < 0 || length % 8 != 0 || length > in.getBytesUntilLimit()) {
      throw new IOException(
          "a packed fixed64 field of " + length + " bytes (expected a multiple of 8 within its message)");
    }
    int n = length / 8;
    if (column.member == Column.DOUBLES_FIELD_NUMBER) {
      if (column.doubles.length < column.size + n) {
        column.doubles = Arrays.copyOf(column.doubles, column.size + n);
      }
      for (int i = 0; i < n; i++) {
        column.doubles[column.size + i] =
            Double.longBitsToDouble((long) LONG_LE.get(bytes, start + 8 * i));
      }
    } else {
      if (column.longs.length < column.size + n) {
        column.longs = Arrays.copyOf(column.longs, column.size + n);
      }
      for (int i = 0; i < n; i++) {
        column.longs[column.size + i] = (long) LONG_LE.get(bytes, start + 8 * i);
      }
    }
    column.size += n;
    in.skipRawBytes(length);
  }

  private static void readValue(CodedInputStream in, ResultColumn column) throws IOException {
    switch (column.member) {
      case Column.DOUBLES_FIELD_NUMBER -> {
        column.doubles = grow(column.doubles, column.size);
        column.doubles[column.size++] = in.readDouble();
      }
      case Column.LONGS_FIELD_NUMBER -> {
        column.longs = grow(column.longs, column.size);
        column.longs[column.size++] = in.readSFixed64();
      }
      case Column.INTS_FIELD_NUMBER -> {
        column.ints = grow(column.ints, column.size);
        column.ints[column.size++] = in.readSInt32();
      }
      case Column.BOOLS_FIELD_NUMBER -> {
        column.bools = grow(column.bools, column.size);
        column.bools[column.size++] = in.readBool();
      }
      default -> {
        column.indices = grow(column.indices, column.size);
        column.indices[column.size++] = in.readUInt32();
      }
    }
  }

  private static double[] grow(double[] a, int size) {
    return size < a.length ? a : Arrays.copyOf(a, Math.max(16, size * 2));
  }

  private static long[] grow(long[] a, int size) {
    return size < a.length ? a : Arrays.copyOf(a, Math.max(16, size * 2));
  }

  private static int[] grow(int[] a, int size) {
    return size < a.length ? a : Arrays.copyOf(a, Math.max(16, size * 2));
  }

  private static boolean[] grow(boolean[] a, int size) {
    return size < a.length ? a : Arrays.copyOf(a, Math.max(16, size * 2));
  }
}
