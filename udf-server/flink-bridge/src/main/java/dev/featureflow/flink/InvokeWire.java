package dev.featureflow.flink;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.featureflow.udf.v1.Column;
import dev.featureflow.udf.v1.InvokeRequest;
import dev.featureflow.udf.v1.StringColumn;
import dev.featureflow.udf.v1.UdfServiceGrpc;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * InvokeRequest (udf.proto) written directly on the wire from primitive arrays, and the Invoke
 * method as raw bytes (the answer is read by {@link InvokeResponseReader}). The generated message classes build a list-backed message per column
 * and per batch first, and parse into them again; in profiles of the benchmark that was a quarter
 * of the client's CPU. Field numbers come from the generated classes, and a test holds this codec
 * to them (InvokeWireTest). Describe keeps the generated classes.
 */
final class InvokeWire {
  private InvokeWire() {}

  /** Invoke with raw bytes both ways: same method, same wire format, no message objects. */
  static final MethodDescriptor<byte[], byte[]> INVOKE =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(UdfServiceGrpc.getInvokeMethod().getFullMethodName())
          .setRequestMarshaller(new BytesMarshaller())
          .setResponseMarshaller(new BytesMarshaller())
          .build();

  // ---- the request ------------------------------------------------------------------------

  /**
   * A string column as sent: the dictionary and one index per value, with its encoded size,
   * computed once (measuring UTF-8 lengths was the largest single item in the client's profile).
   */
  record Strings(String[] dictionary, int dictionarySize, int[] indices, int count, int size) {
    Strings(String[] dictionary, int dictionarySize, int[] indices, int count) {
      this(dictionary, dictionarySize, indices, count, encodedSize(dictionary, dictionarySize, indices, count));
    }
  }

  private static int encodedSize(String[] dictionary, int dictionarySize, int[] indices, int count) {
    int size = 0;
    for (int i = 0; i < dictionarySize; i++) {
      size += CodedOutputStream.computeStringSize(StringColumn.DICTIONARY_FIELD_NUMBER, dictionary[i]);
    }
    return size + packedSize(StringColumn.INDICES_FIELD_NUMBER, uint32sSize(indices, count));
  }

  /** Values looked at to judge whether a column repeats enough to be worth a dictionary. */
  private static final int SAMPLE = 64;

  /**
   * Each distinct string once and an index per value, when the column repeats (countries, pages,
   * event types, sessions). When a sample is mostly distinct (entity ids, merchants), the values
   * go as they are with indices 0..n-1, which the protocol equally allows: hashing every value
   * would cost more than the bytes it saves.
   */
  static Strings dictionary(String[] values, int count) {
    int[] indices = new int[count];
    if (mostlyDistinct(values, count)) {
      for (int i = 0; i < count; i++) {
        indices[i] = i;
      }
      return new Strings(values, count, indices, count);
    }
    java.util.HashMap<String, Integer> slots = new java.util.HashMap<>();
    String[] dictionary = new String[Math.min(count, 16)];
    int size = 0;
    for (int i = 0; i < count; i++) {
      Integer slot = slots.get(values[i]);
      if (slot == null) {
        slot = size;
        slots.put(values[i], slot);
        if (size == dictionary.length) {
          dictionary = Arrays.copyOf(dictionary, size * 2);
        }
        dictionary[size++] = values[i];
      }
      indices[i] = slot;
    }
    return new Strings(dictionary, size, indices, count);
  }

  private static boolean mostlyDistinct(String[] values, int count) {
    if (count < SAMPLE) {
      return false;
    }
    java.util.HashSet<String> seen = new java.util.HashSet<>(SAMPLE * 2);
    for (int i = 0; i < SAMPLE; i++) {
      seen.add(values[i]);
    }
    return seen.size() > SAMPLE / 2;
  }

  /** One event column as {@link EventColumns} holds it. */
  record EventColumn(
      int member, double[] doubles, long[] longs, int[] ints, boolean[] bools, Strings strings) {}

  static byte[] encodeRequest(
      String function,
      Strings entityIds,
      long[] starts,
      long[] ends,
      int[] counts,
      int rows,
      EventColumn[] columns,
      int events) {
    int[] columnSizes = new int[columns.length];
    int size = 0;
    if (!function.isEmpty()) {
      size += CodedOutputStream.computeStringSize(InvokeRequest.FUNCTION_FIELD_NUMBER, function);
    }
    size += messageSize(InvokeRequest.ENTITY_IDS_FIELD_NUMBER, stringsSize(entityIds));
    size += packedFixed64Size(InvokeRequest.WINDOW_STARTS_FIELD_NUMBER, rows);
    size += packedFixed64Size(InvokeRequest.WINDOW_ENDS_FIELD_NUMBER, rows);
    size += packedSize(InvokeRequest.EVENT_COUNTS_FIELD_NUMBER, uint32sSize(counts, rows));
    for (int c = 0; c < columns.length; c++) {
      columnSizes[c] = columnSize(columns[c], events);
      size += messageSize(InvokeRequest.EVENT_COLUMNS_FIELD_NUMBER, columnSizes[c]);
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      if (!function.isEmpty()) {
        out.writeString(InvokeRequest.FUNCTION_FIELD_NUMBER, function);
      }
      out.writeTag(InvokeRequest.ENTITY_IDS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(stringsSize(entityIds));
      writeStrings(out, entityIds);
      writePackedFixed64(out, InvokeRequest.WINDOW_STARTS_FIELD_NUMBER, starts, rows);
      writePackedFixed64(out, InvokeRequest.WINDOW_ENDS_FIELD_NUMBER, ends, rows);
      int countsSize = uint32sSize(counts, rows);
      if (countsSize > 0) {
        out.writeTag(InvokeRequest.EVENT_COUNTS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(countsSize);
        for (int i = 0; i < rows; i++) {
          out.writeUInt32NoTag(counts[i]);
        }
      }
      for (int c = 0; c < columns.length; c++) {
        out.writeTag(InvokeRequest.EVENT_COLUMNS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(columnSizes[c]);
        writeColumn(out, columns[c], events);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("InvokeRequest sized wrongly: " + e.getMessage(), e);
    }
    return bytes;
  }

  private static int messageSize(int field, int payload) {
    return CodedOutputStream.computeTagSize(field)
        + CodedOutputStream.computeUInt32SizeNoTag(payload)
        + payload;
  }

  private static int packedSize(int field, int payload) {
    return payload == 0 ? 0 : messageSize(field, payload);
  }

  private static int packedFixed64Size(int field, int count) {
    return packedSize(field, 8 * count);
  }

  private static int uint32sSize(int[] values, int count) {
    int size = 0;
    for (int i = 0; i < count; i++) {
      size += CodedOutputStream.computeUInt32SizeNoTag(values[i]);
    }
    return size;
  }

  private static int sint32sSize(int[] values, int count) {
    int size = 0;
    for (int i = 0; i < count; i++) {
      size += CodedOutputStream.computeSInt32SizeNoTag(values[i]);
    }
    return size;
  }

  private static int stringsSize(Strings strings) {
    return strings.size();
  }

  private static void writeStrings(CodedOutputStream out, Strings strings) throws IOException {
    for (int i = 0; i < strings.dictionarySize(); i++) {
      out.writeString(StringColumn.DICTIONARY_FIELD_NUMBER, strings.dictionary()[i]);
    }
    int indicesSize = uint32sSize(strings.indices(), strings.count());
    if (indicesSize > 0) {
      out.writeTag(StringColumn.INDICES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(indicesSize);
      for (int i = 0; i < strings.count(); i++) {
        out.writeUInt32NoTag(strings.indices()[i]);
      }
    }
  }

  private static void writePackedFixed64(CodedOutputStream out, int field, long[] values, int count)
      throws IOException {
    if (count == 0) {
      return;
    }
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(8 * count);
    for (int i = 0; i < count; i++) {
      out.writeSFixed64NoTag(values[i]);
    }
  }

  /** Size of a Column message: its oneof member, itself a message of one packed field. */
  private static int columnSize(EventColumn column, int count) {
    return messageSize(column.member(), memberSize(column, count));
  }

  private static int memberSize(EventColumn column, int count) {
    return switch (column.member()) {
      case Column.DOUBLES_FIELD_NUMBER, Column.LONGS_FIELD_NUMBER -> packedFixed64Size(1, count);
      case Column.INTS_FIELD_NUMBER -> packedSize(1, sint32sSize(column.ints(), count));
      case Column.BOOLS_FIELD_NUMBER -> packedSize(1, count);
      default -> stringsSize(column.strings());
    };
  }

  private static void writeColumn(CodedOutputStream out, EventColumn column, int count)
      throws IOException {
    out.writeTag(column.member(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(memberSize(column, count));
    switch (column.member()) {
      case Column.DOUBLES_FIELD_NUMBER -> {
        if (count > 0) {
          out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(8 * count);
          for (int i = 0; i < count; i++) {
            out.writeDoubleNoTag(column.doubles()[i]);
          }
        }
      }
      case Column.LONGS_FIELD_NUMBER -> writePackedFixed64(out, 1, column.longs(), count);
      case Column.INTS_FIELD_NUMBER -> {
        int payload = sint32sSize(column.ints(), count);
        if (payload > 0) {
          out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(payload);
          for (int i = 0; i < count; i++) {
            out.writeSInt32NoTag(column.ints()[i]);
          }
        }
      }
      case Column.BOOLS_FIELD_NUMBER -> {
        if (count > 0) {
          out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(count);
          for (int i = 0; i < count; i++) {
            out.writeBoolNoTag(column.bools()[i]);
          }
        }
      }
      default -> writeStrings(out, column.strings());
    }
  }

  // ---- bytes on the call ------------------------------------------------------------------

  /** byte[] as a gRPC message: handed to the transport in one piece, read back in one piece. */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("cannot read the InvokeResponse: " + e.getMessage())
            .withCause(e)
            .asRuntimeException();
      }
    }
  }

  /** Lets the transport learn the length up front and copy the array once. */
  private static final class BytesStream extends ByteArrayInputStream
      implements KnownLength, Drainable {
    BytesStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int length = count - pos;
      target.write(buf, pos, length);
      pos = count;
      return length;
    }
  }
}
