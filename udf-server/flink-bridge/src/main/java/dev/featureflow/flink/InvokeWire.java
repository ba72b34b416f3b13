package dev.featureflow.flink;

import dev.featureflow.udf.v1.Column;
import dev.featureflow.udf.v1.InvokeRequest;
import dev.featureflow.udf.v1.UdfServiceGrpc;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * InvokeRequest (udf.proto) written directly on the wire from primitive arrays ({@link WireBytes}),
 * and the Invoke method as raw bytes (the answer is read by {@link InvokeResponseReader}). The
 * generated message classes build a list-backed message per column and per batch first, and parse
 * into them again; in profiles of the benchmark that was a quarter of the client's CPU. Field
 * numbers come from the generated classes, and a test holds this codec to them (InvokeWireTest).
 * Describe keeps the generated classes.
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

  /** One event column as {@link EventColumns} holds it: the array of its kind. */
  record EventColumn(
      int member,
      double[] doubles,
      long[] longs,
      int[] ints,
      boolean[] bools,
      StringColumnWriter.Encoded strings) {}

  /** The encoded InvokeRequest: sized exactly first, then written in one pass into one array. */
  static byte[] encodeRequest(
      String function,
      StringColumnWriter.Encoded entityIds,
      long[] starts,
      long[] ends,
      int[] counts,
      int rows,
      EventColumn[] columns,
      int events) {
    byte[] functionUtf8 = function.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int countsSize = WireBytes.varintsSize(counts, rows);
    int[] memberSizes = new int[columns.length];
    int size = 0;
    if (functionUtf8.length > 0) {
      size += WireBytes.delimitedSize(InvokeRequest.FUNCTION_FIELD_NUMBER, functionUtf8.length);
    }
    size += WireBytes.delimitedSize(InvokeRequest.ENTITY_IDS_FIELD_NUMBER, entityIds.payloadSize());
    size += WireBytes.packedSize(InvokeRequest.WINDOW_STARTS_FIELD_NUMBER, 8 * rows);
    size += WireBytes.packedSize(InvokeRequest.WINDOW_ENDS_FIELD_NUMBER, 8 * rows);
    size += WireBytes.packedSize(InvokeRequest.EVENT_COUNTS_FIELD_NUMBER, countsSize);
    for (int c = 0; c < columns.length; c++) {
      memberSizes[c] = memberSize(columns[c], events);
      size +=
          WireBytes.delimitedSize(
              InvokeRequest.EVENT_COLUMNS_FIELD_NUMBER,
              WireBytes.delimitedSize(columns[c].member(), memberSizes[c]));
    }
    WireBytes out = new WireBytes(size);
    if (functionUtf8.length > 0) {
      out.string(InvokeRequest.FUNCTION_FIELD_NUMBER, functionUtf8);
    }
    out.delimited(InvokeRequest.ENTITY_IDS_FIELD_NUMBER, entityIds.payloadSize());
    entityIds.writeTo(out);
    out.fixed64s(InvokeRequest.WINDOW_STARTS_FIELD_NUMBER, starts, rows);
    out.fixed64s(InvokeRequest.WINDOW_ENDS_FIELD_NUMBER, ends, rows);
    out.varints(InvokeRequest.EVENT_COUNTS_FIELD_NUMBER, counts, rows, countsSize);
    for (int c = 0; c < columns.length; c++) {
      EventColumn column = columns[c];
      out.delimited(
          InvokeRequest.EVENT_COLUMNS_FIELD_NUMBER,
          WireBytes.delimitedSize(column.member(), memberSizes[c]));
      out.delimited(column.member(), memberSizes[c]);
      // Each member is a message of one packed field 1 (StringColumn: fields 1 and 2).
      switch (column.member()) {
        case Column.DOUBLES_FIELD_NUMBER -> out.doubles(1, column.doubles(), events);
        case Column.LONGS_FIELD_NUMBER -> out.fixed64s(1, column.longs(), events);
        case Column.INTS_FIELD_NUMBER ->
            out.zigzags(1, column.ints(), events, WireBytes.zigzagsSize(column.ints(), events));
        case Column.BOOLS_FIELD_NUMBER -> out.bools(1, column.bools(), events);
        default -> column.strings().writeTo(out);
      }
    }
    if (out.pos != size) {
      throw new IllegalStateException(
          "InvokeRequest sized wrongly: " + out.pos + " bytes written, " + size + " expected");
    }
    return out.bytes;
  }

  /** Bytes of a Column's oneof member message (one packed field, or a StringColumn). */
  private static int memberSize(EventColumn column, int count) {
    return switch (column.member()) {
      case Column.DOUBLES_FIELD_NUMBER, Column.LONGS_FIELD_NUMBER -> WireBytes.packedSize(1, 8 * count);
      case Column.INTS_FIELD_NUMBER -> WireBytes.packedSize(1, WireBytes.zigzagsSize(column.ints(), count));
      case Column.BOOLS_FIELD_NUMBER -> WireBytes.packedSize(1, count);
      default -> column.strings().payloadSize();
    };
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
        // gRPC's message streams know their length: one array, one copy (readAllBytes reads
        // into chunks and copies them again).
        if (stream instanceof KnownLength) {
          byte[] bytes = new byte[stream.available()];
          if (stream.readNBytes(bytes, 0, bytes.length) == bytes.length && stream.read() == -1) {
            return bytes;
          }
          throw new IOException("the message was not as long as announced");
        }
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
