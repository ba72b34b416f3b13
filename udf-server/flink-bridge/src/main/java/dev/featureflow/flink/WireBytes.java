package dev.featureflow.flink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The protobuf wire format written straight into a byte array sized beforehand (the sizes come
 * from the same primitive arrays, see {@link InvokeWire#encodeRequest}). CodedOutputStream did the
 * same with a bounds check and a virtual call per value, and measured every string's UTF-8 length
 * once to size the message and again to write it: with about 20 values per window that was the
 * largest item of the client's CPU in a no-network microbenchmark (0.75 of 1.5 us per window).
 */
final class WireBytes {
  static final int VARINT = 0;
  static final int LENGTH_DELIMITED = 2;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  final byte[] bytes;
  int pos;

  WireBytes(int size) {
    bytes = new byte[size];
  }

  static int tagSize(int field) {
    return varintSize(field << 3);
  }

  /** Bytes of {@code value} as an unsigned varint. */
  static int varintSize(int value) {
    // 1 byte per started group of 7 bits, 0 included; 5 for negative values (CodedOutputStream's formula).
    return (352 - Integer.numberOfLeadingZeros(value) * 9) >>> 6;
  }

  /** Bytes of a length-delimited field holding {@code payload} bytes. */
  static int delimitedSize(int field, int payload) {
    return tagSize(field) + varintSize(payload) + payload;
  }

  /** A packed repeated field: nothing at all when it has no values. */
  static int packedSize(int field, int payload) {
    return payload == 0 ? 0 : delimitedSize(field, payload);
  }

  static int varintsSize(int[] values, int count) {
    int size = 0;
    for (int i = 0; i < count; i++) {
      size += varintSize(values[i]);
    }
    return size;
  }

  static int zigzagsSize(int[] values, int count) {
    int size = 0;
    for (int i = 0; i < count; i++) {
      size += varintSize(zigzag(values[i]));
    }
    return size;
  }

  static int zigzag(int value) {
    return (value << 1) ^ (value >> 31);
  }

  void tag(int field, int wireType) {
    varint((field << 3) | wireType);
  }

  /** The tag and length of a length-delimited field whose payload follows. */
  void delimited(int field, int payload) {
    tag(field, LENGTH_DELIMITED);
    varint(payload);
  }

  void varint(int value) {
    byte[] b = bytes;
    int p = pos;
    while ((value & ~0x7F) != 0) {
      b[p++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    b[p++] = (byte) value;
    pos = p;
  }

  void varints(int field, int[] values, int count, int payload) {
    if (payload == 0) {
      return;
    }
    delimited(field, payload);
    for (int i = 0; i < count; i++) {
      varint(values[i]);
    }
  }

  void zigzags(int field, int[] values, int count, int payload) {
    if (payload == 0) {
      return;
    }
    delimited(field, payload);
    for (int i = 0; i < count; i++) {
      varint(zigzag(values[i]));
    }
  }

  void fixed64s(int field, long[] values, int count) {
    if (count == 0) {
      return;
    }
    delimited(field, 8 * count);
    byte[] b = bytes;
    int p = pos;
    for (int i = 0; i < count; i++, p += 8) {
      LONG_LE.set(b, p, values[i]);
    }
    pos = p;
  }

  void doubles(int field, double[] values, int count) {
    if (count == 0) {
      return;
    }
    delimited(field, 8 * count);
    byte[] b = bytes;
    int p = pos;
    for (int i = 0; i < count; i++, p += 8) {
      LONG_LE.set(b, p, Double.doubleToRawLongBits(values[i]));
    }
    pos = p;
  }

  void bools(int field, boolean[] values, int count) {
    if (count == 0) {
      return;
    }
    delimited(field, count);
    for (int i = 0; i < count; i++) {
      bytes[pos++] = (byte) (values[i] ? 1 : 0);
    }
  }

  /** A string field, given its UTF-8 bytes. */
  void string(int field, byte[] utf8) {
    delimited(field, utf8.length);
    raw(utf8, utf8.length);
  }

  /** Bytes already encoded. */
  void raw(byte[] source, int length) {
    System.arraycopy(source, 0, bytes, pos, length);
    pos += length;
  }
}
