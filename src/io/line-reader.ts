/**
 * Reads a text file as batches of lines. Batches, not single lines, because an `await` per line
 * costs more than the work done on most lines. A final line without a newline is still a line.
 *
 * Lines are cut on the bytes and each is decoded only if it is UTF-8: a line that is not is
 * handed over as bytes (`problems`), never decoded to U+FFFD, which would merge `c\xff` and
 * `c\xfe` into one card id. So is a line longer than `maxLineBytes`: it is skipped as it is
 * read, keeping only its first bytes, so a huge line costs no more memory than the limit.
 *
 * Fast path: the complete lines of a chunk are checked at once (`isAscii`, then `isUtf8`, both
 * SIMD) and decoded with one call. A plain ASCII chunk is read as latin1, the same text for
 * ASCII bytes: TextDecoder builds two-byte strings even from ASCII, and JSON.parse of two-byte
 * text is slower. Only a chunk holding a bad line or an over-long one is cut
 * line by line. A BOM at the very start of the file is dropped, as TextDecoder does.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';

/** What is wrong with a line handed over as bytes. */
export type LineProblemCode = 'invalid_utf8' | 'line_too_long';

export interface LineProblem {
  lineNumber: number;
  code: LineProblemCode;
  /** The line's length in bytes, without its newline. */
  byteLength: number;
  /** `invalid_utf8`: the whole line. `line_too_long`: its first LONG_LINE_HEAD_BYTES bytes. */
  raw: Buffer;
}

export interface LineBatch {
  /** 1-based number of the first line in `lines`. */
  firstLineNumber: number;
  /** The lines; a line with a problem is '' here and is described in `problems`. */
  lines: string[];
  /** The lines that are not UTF-8 or too long, in line order; undefined when none. */
  problems: LineProblem[] | undefined;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
}

/** A line may be this long unless a caller says otherwise (replay's --max-line-bytes). */
export const DEFAULT_MAX_LINE_BYTES = 16 << 20;
/** How much of a line that is too long is kept, to show what it was. */
export const LONG_LINE_HEAD_BYTES = 1024;

const NEWLINE = 0x0a;

export async function* readLineBatches(
  path: string,
  highWaterMarkBytes = 1 << 20,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<LineBatch> {
  const stream = createReadStream(path, { highWaterMark: highWaterMarkBytes });
  const lines = new LineCutter(maxLineBytes);
  let bytesRead = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    const batch = lines.cut(chunk);
    if (batch !== undefined) yield { ...batch, bytesRead };
  }
  const last = lines.end();
  if (last !== undefined) yield { ...last, bytesRead };
}

type CutLines = Omit<LineBatch, 'bytesRead'>;

/** Cuts chunks of bytes into decoded lines; the part of a line a chunk ends with is carried. */
class LineCutter {
  private nextLineNumber = 1;
  /** The pieces of the line begun in earlier chunks (subarrays: no copy until it ends). */
  private carried: Buffer[] = [];
  private carriedBytes = 0;
  /** The line begun in earlier chunks is over the limit: its bytes are counted, not kept. */
  private skipping = false;
  private skippedHead: Buffer | undefined;
  private lines: string[] = [];
  private problems: LineProblem[] | undefined;

  constructor(private readonly maxLineBytes: number) {}

  cut(chunk: Buffer): CutLines | undefined {
    let start = 0;
    const firstNewline = chunk.indexOf(NEWLINE, start);
    if (firstNewline === -1) {
      this.carry(chunk.subarray(start));
      return undefined;
    }
    if (this.carriedBytes > 0 || this.skipping) {
      this.carry(chunk.subarray(start, firstNewline));
      this.endCarriedLine();
      start = firstNewline + 1;
    }
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline >= start) this.addCompleteLines(chunk.subarray(start, lastNewline));
    this.carry(chunk.subarray(lastNewline + 1));
    return this.take();
  }

  /** At the end of the file: the last line, if it had no newline. */
  end(): CutLines | undefined {
    if (this.carriedBytes > 0 || this.skipping) this.endCarriedLine();
    return this.lines.length > 0 ? this.take() : undefined;
  }

  private take(): CutLines {
    // A BOM at the start of the file is not part of the first line, as TextDecoder reads it.
    if (this.nextLineNumber === 1 && this.lines[0]?.charCodeAt(0) === 0xfeff) {
      this.lines[0] = this.lines[0].slice(1);
    }
    const batch = {
      firstLineNumber: this.nextLineNumber,
      lines: this.lines,
      problems: this.problems,
    };
    this.nextLineNumber += this.lines.length;
    this.lines = [];
    this.problems = undefined;
    return batch;
  }

  /** Lines separated by newlines, the last one without its newline. */
  private addCompleteLines(bytes: Buffer): void {
    if (bytes.length <= this.maxLineBytes) {
      // The usual case: all the lines of a chunk at once.
      const text = isAscii(bytes)
        ? bytes.toString('latin1')
        : isUtf8(bytes)
          ? bytes.toString('utf8')
          : undefined;
      if (text !== undefined) {
        const split = text.split('\n');
        // Before these lines there is at most the one a chunk began with.
        if (this.lines.length > 0) split.unshift(...this.lines);
        this.lines = split;
        return;
      }
    }
    let from = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, from);
      const end = newline === -1 ? bytes.length : newline;
      this.addLine(bytes.subarray(from, end));
      if (newline === -1) return;
      from = newline + 1;
    }
  }

  private addLine(bytes: Buffer): void {
    if (bytes.length > this.maxLineBytes) {
      this.addProblem('line_too_long', bytes.length, bytes.subarray(0, LONG_LINE_HEAD_BYTES));
    } else if (isAscii(bytes)) {
      this.lines.push(bytes.toString('latin1'));
    } else if (isUtf8(bytes)) {
      this.lines.push(bytes.toString('utf8'));
    } else {
      this.addProblem('invalid_utf8', bytes.length, bytes);
    }
  }

  private addProblem(code: LineProblemCode, byteLength: number, raw: Buffer): void {
    // A copy: a subarray would keep the whole chunk alive.
    this.problems ??= [];
    this.problems.push({
      lineNumber: this.nextLineNumber + this.lines.length,
      code,
      byteLength,
      raw: Buffer.from(raw),
    });
    this.lines.push('');
  }

  private carry(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.skipping) {
      const head = this.skippedHead!;
      if (head.length < LONG_LINE_HEAD_BYTES) {
        this.skippedHead = Buffer.concat(
          [head, bytes],
          Math.min(LONG_LINE_HEAD_BYTES, head.length + bytes.length),
        );
      }
      this.carriedBytes += bytes.length;
      return;
    }
    if (this.carriedBytes + bytes.length > this.maxLineBytes) {
      // Over the limit: keep the first bytes to show, let go of the rest.
      this.skippedHead = Buffer.concat(
        [...this.carried, bytes],
        Math.min(LONG_LINE_HEAD_BYTES, this.carriedBytes + bytes.length),
      );
      this.carried = [];
      this.skipping = true;
    } else {
      this.carried.push(bytes);
    }
    this.carriedBytes += bytes.length;
  }

  private endCarriedLine(): void {
    if (this.skipping) {
      this.addProblem('line_too_long', this.carriedBytes, this.skippedHead!);
    } else {
      const carried = this.carried;
      this.addLine(carried.length === 1 ? carried[0]! : Buffer.concat(carried));
    }
    this.carried = [];
    this.carriedBytes = 0;
    this.skipping = false;
    this.skippedHead = undefined;
  }
}
