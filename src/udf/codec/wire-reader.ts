/**
 * A minimal reader of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/),
 * for the one message pair on the hot path (InvokeRequest, InvokeResponse). protobufjs would
 * decode them too, but value by value into JavaScript arrays; this reader hands packed numeric
 * fields over as typed arrays with one memory copy (udf-server/README.md has the measurements).
 * Everything else in the protocol goes through protobufjs via @grpc/proto-loader.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** Bytes that are not a well-formed message: the caller turns it into INVALID_ARGUMENT. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

export class WireReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end: number = buf.length,
  ) {
    this.pos = start;
  }

  /** A varint of at most 32 significant bits (tags, lengths, counts, indices). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    // Most varints here (indices, counts, short lengths) are one byte.
    if (pos < this.end && buf[pos]! < 0x80) {
      this.pos = pos + 1;
      return buf[pos]!;
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw new WireFormatError(`truncated varint at byte ${this.pos}`);
      const byte = buf[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    // Varints of uint32 fields written as 64-bit (negative int32 in some writers): skip the rest.
    for (let i = 0; i < 5; i++) {
      if (pos >= this.end) break;
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    throw new WireFormatError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /**
   * Moves past a length-delimited field and returns where its payload starts; the payload ends
   * where the reader now is (`pos`). No object per field: this runs once per dictionary string.
   */
  lengthDelimited(): number {
    const length = this.uint32();
    const start = this.pos;
    if (start + length > this.end) {
      throw new WireFormatError(
        `field of ${length} bytes at byte ${start} runs past the end of its message (${this.end})`,
      );
    }
    this.pos = start + length;
    return start;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.uint32();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new WireFormatError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  advance(bytes: number): void {
    if (this.pos + bytes > this.end)
      throw new WireFormatError(`truncated field at byte ${this.pos}`);
    this.pos += bytes;
  }
}

/**
 * A repeated scalar field as it appeared: packed runs and single values, in order. Writers
 * normally pack (one run), but the protobuf spec lets a field arrive in several runs or
 * unpacked, and a reader must accept all of them.
 */
export class RepeatedField {
  /** (start, end, wireType) triples. */
  private readonly parts: number[] = [];

  add(reader: WireReader, wireType: number): void {
    if (wireType === WIRE_LENGTH_DELIMITED) {
      const start = reader.lengthDelimited();
      this.parts.push(start, reader.pos, WIRE_LENGTH_DELIMITED);
      return;
    }
    const start = reader.pos;
    reader.skip(wireType);
    this.parts.push(start, reader.pos, wireType);
  }

  /** Packed or single 8-byte values, copied into one aligned array. */
  fixed64Bytes(buf: Uint8Array, field: string): Uint8Array {
    let total = 0;
    for (let i = 0; i < this.parts.length; i += 3) total += this.parts[i + 1]! - this.parts[i]!;
    if (total % 8 !== 0) {
      throw new WireFormatError(`${field}: ${total} bytes is not a whole number of 8-byte values`);
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (let i = 0; i < this.parts.length; i += 3) {
      const part = buf.subarray(this.parts[i]!, this.parts[i + 1]!);
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  /** Packed or single varints of at most 32 bits each, in order. */
  uint32s(buf: Uint8Array): Uint32Array {
    let bytes = 0;
    for (let i = 0; i < this.parts.length; i += 3) bytes += this.parts[i + 1]! - this.parts[i]!;
    // At most one value per byte: decode into that much room, then trim (one pass, no count).
    const out = new Uint32Array(bytes);
    let n = 0;
    for (let i = 0; i < this.parts.length; i += 3) {
      const end = this.parts[i + 1]!;
      let p = this.parts[i]!;
      // Written out (no reader object, no callback): it runs once per value of a batch.
      while (p < end) {
        let byte = buf[p++]!;
        let value = byte & 0x7f;
        let shift = 7;
        while (byte >= 0x80 && p < end) {
          byte = buf[p++]!;
          if (shift < 32) value += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        }
        out[n++] = value;
      }
    }
    return n === bytes ? out : out.subarray(0, n);
  }
}

/** Reads 8-byte little-endian integers into numbers; a value beyond +-2^53 becomes NaN. */
export function int64sToNumbers(bytes: Uint8Array): Float64Array {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) {
    const low = words[2 * i]! >>> 0;
    const high = words[2 * i + 1]!;
    // |high| < 2^21 keeps high * 2^32 + low within the safe-integer range.
    out[i] = high >= -0x200000 && high < 0x200000 ? high * 4294967296 + low : Number.NaN;
  }
  return out;
}

const NATIVE_DECODER = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 bytes to a string (one string: the function name, an error reason). */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  return NATIVE_DECODER.decode(buf.subarray(start, end));
}

/**
 * The strings of one message (a `repeated string` field), cut from its bytes `buf[start, end)`.
 * Crossing into the native decoder costs ~100 ns per call, more than decoding a dozen bytes: the
 * whole stretch is decoded once, as latin1, when the first string is needed, and each ASCII
 * string (ids, countries, pages) is a `substring` of it (latin1 maps byte i to char i, so an
 * ASCII string's bytes are its chars whatever surrounds them); any other string goes through the
 * UTF-8 decoder on its own. No list of ranges is built first.
 */
export class StringStretch {
  private text: string | undefined;

  constructor(
    private readonly buf: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** The string whose UTF-8 bytes are `buf[from, to)`, within the stretch. */
  cut(from: number, to: number): string {
    const buf = this.buf;
    for (let p = from; p < to; p++) {
      if (buf[p]! >= 0x80) return NATIVE_DECODER.decode(buf.subarray(from, to));
    }
    this.text ??= Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString(
      'latin1',
      this.start,
      this.end,
    );
    return this.text.substring(from - this.start, to - this.start);
  }
}
