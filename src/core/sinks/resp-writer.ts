/**
 * Encodes Redis commands (RESP arrays of bulk strings) straight into one growing Buffer.
 * The sink writes ~13 arguments per window; handing them to the client as strings costs a
 * string concatenation per argument and a large flatten on the socket write, which profiling
 * showed was most of the sink's CPU. Bytes written here go to the socket as they are.
 */
const CRLF_0 = 13; // '\r'
const CRLF_1 = 10; // '\n'
const ASCII_0 = 48;
const SHORT_STRING = 32;

export class RespWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get byteLength(): number {
    return this.length;
  }

  /** `*<n>\r\n`: the start of a command of n parts (its name included). */
  arrayHeader(parts: number): void {
    this.ensure(24);
    this.buffer[this.length++] = 42; // '*'
    this.integer(parts);
  }

  /** A bulk string that may hold any Unicode (keys, entity ids). */
  text(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.ensure(bytes + 32);
    this.buffer[this.length++] = 36; // '$'
    this.integer(bytes);
    this.length += this.buffer.write(value, this.length, bytes, 'utf8');
    this.crlf();
  }

  /** A bulk string known to be ASCII (numbers, labels): its length is its byte length. */
  ascii(value: string): void {
    const bytes = value.length;
    this.ensure(bytes + 32);
    const buffer = this.buffer;
    buffer[this.length++] = 36; // '$'
    this.integer(bytes);
    if (bytes <= SHORT_STRING) {
      // A JS loop beats Buffer#write's native call for the short strings numbers make.
      let at = this.length;
      for (let i = 0; i < bytes; i++) buffer[at++] = value.charCodeAt(i);
      this.length = at;
    } else {
      this.length += buffer.write(value, this.length, bytes, 'latin1');
    }
    this.crlf();
  }

  /**
   * A number as the bulk string String(value) would give, without making that string when the
   * number is a safe non-negative integer (counts, epoch ms: most of what the sink writes).
   */
  number(value: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      this.ascii(String(value));
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.ensure(digits + 32);
    this.buffer[this.length++] = 36; // '$'
    this.integer(digits);
    this.integer(value);
  }

  /** The bytes written since the last take(), as a Buffer of their own; the writer restarts. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buffer.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }

  /** Digits of a non-negative integer, then CRLF: the length headers of every part. Written
   * by hand because String() plus Buffer#write per header showed up in profiles. */
  private integer(value: number): void {
    const buffer = this.buffer;
    if (value < 10) {
      buffer[this.length++] = ASCII_0 + value;
    } else {
      let digits = 1;
      for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      let at = this.length + digits;
      this.length = at;
      let rest = value;
      do {
        const next = Math.floor(rest / 10);
        buffer[--at] = ASCII_0 + (rest - next * 10);
        rest = next;
      } while (rest > 0);
    }
    this.crlf();
  }

  private crlf(): void {
    this.buffer[this.length++] = CRLF_0;
    this.buffer[this.length++] = CRLF_1;
  }

  private ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
