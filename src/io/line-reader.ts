/**
 * Reads a text file as batches of lines. Batches, not single lines, because an `await` per line
 * costs more than the work done on most lines. A final line without a newline is still a line.
 *
 * UTF-8 is decoded by TextDecoder, except while the file has been plain ASCII so far: such a
 * chunk is read as latin1, which for ASCII bytes is the same text. TextDecoder builds two-byte
 * strings even from ASCII, and JSON.parse of two-byte text is markedly slower.
 * Once a chunk holds any other byte (a BOM included, which TextDecoder drops), TextDecoder
 * reads the rest of the file, so partial characters across chunks decode as before.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';

export interface LineBatch {
  /** 1-based number of the first line in `lines`. */
  firstLineNumber: number;
  lines: string[];
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
}

export async function* readLineBatches(
  path: string,
  highWaterMarkBytes = 1 << 20,
): AsyncGenerator<LineBatch> {
  const stream = createReadStream(path, { highWaterMark: highWaterMarkBytes });
  let carry = '';
  let nextLineNumber = 1;
  let bytesRead = 0;
  let decoder: TextDecoder | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (decoder === undefined && !isAscii(chunk)) {
      // A BOM is dropped only at the very start of the file, as a TextDecoder for it all would.
      decoder = new TextDecoder('utf-8', { ignoreBOM: bytesRead > 0 });
    }
    bytesRead += chunk.length;
    const decoded =
      decoder === undefined ? chunk.toString('latin1') : decoder.decode(chunk, { stream: true });
    // The chunk is split on its own and the carried part of a line joins only its first line:
    // splitting carry + chunk made V8 copy the whole chunk into one flat string first.
    const lines = decoded.split('\n');
    lines[0] = carry + lines[0];
    carry = lines.pop() ?? '';
    if (lines.length > 0) {
      yield { firstLineNumber: nextLineNumber, lines, bytesRead };
      nextLineNumber += lines.length;
    }
  }
  const rest = carry + (decoder?.decode() ?? '');
  if (rest.length > 0) yield { firstLineNumber: nextLineNumber, lines: [rest], bytesRead };
}
