/**
 * A minimal writer of the protobuf wire format, the counterpart of ./wire-reader.ts. Nested
 * messages are written in place: `beginMessage` reserves room for the longest length prefix,
 * `endMessage` writes the real one and moves the payload back over the unused bytes (one
 * memmove, cheaper than sizing every nested message in a first pass).
 */
import { WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './wire-reader.ts';

const MAX_LENGTH_PREFIX = 5;

export class WireWriter {
  private buf: Uint8Array;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  uint32(value: number): void {
    this.ensure(MAX_LENGTH_PREFIX);
    const buf = this.buf;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A varint field, omitted when 0 (the proto3 default). */
  uint32Field(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, WIRE_VARINT);
    this.uint32(value);
  }

  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A string field (always written: an empty dictionary entry is still an entry). */
  stringField(field: number, value: string): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    const n = value.length;
    this.ensure(MAX_LENGTH_PREFIX + n * 3);
    // ASCII (ids, countries, pages) is written by hand; anything else goes through the encoder.
    let ascii = n < 128;
    if (ascii) {
      for (let i = 0; i < n; i++) {
        if (value.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
    }
    if (ascii) {
      const buf = this.buf;
      buf[this.pos++] = n;
      for (let i = 0; i < n; i++) buf[this.pos++] = value.charCodeAt(i);
      return;
    }
    const encoded = Buffer.from(value, 'utf8');
    this.uint32(encoded.length);
    this.bytes(encoded);
  }

  /** A packed run of 8-byte values (double, sfixed64) already laid out little-endian. */
  packedFixed64Field(field: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.uint32(bytes.length);
    this.bytes(bytes);
  }

  /** A packed run of varints, each `encode(value)` (e.g. zigzag for sint32). */
  packedVarintField(
    field: number,
    values: ArrayLike<number>,
    encode: (value: number) => number = (v) => v,
  ): void {
    if (values.length === 0) return;
    const mark = this.beginMessage(field);
    for (let i = 0; i < values.length; i++) this.uint32(encode(values[i]!));
    this.endMessage(mark);
  }

  /** Starts a length-delimited field whose length is known only at its end. */
  beginMessage(field: number): number {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.ensure(MAX_LENGTH_PREFIX);
    const mark = this.pos;
    this.pos += MAX_LENGTH_PREFIX;
    return mark;
  }

  endMessage(mark: number): void {
    const payloadStart = mark + MAX_LENGTH_PREFIX;
    const length = this.pos - payloadStart;
    let prefixBytes = 1;
    for (let v = length >>> 7; v > 0; v >>>= 7) prefixBytes++;
    const buf = this.buf;
    let v = length;
    let p = mark;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    if (prefixBytes < MAX_LENGTH_PREFIX) {
      buf.copyWithin(mark + prefixBytes, payloadStart, this.pos);
      this.pos -= MAX_LENGTH_PREFIX - prefixBytes;
    }
  }

  /** The bytes written so far, as a Buffer sharing this writer's memory. */
  finish(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}
