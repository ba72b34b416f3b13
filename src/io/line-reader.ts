/**
 * Reads a text file as batches of lines. Batches, not single lines, because an `await` per line
 * costs more than the work done on most lines. A final line without a newline is still a line.
 */
import { createReadStream } from 'node:fs';

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
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    const text = carry + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    if (lines.length > 0) {
      yield { firstLineNumber: nextLineNumber, lines, bytesRead };
      nextLineNumber += lines.length;
    }
  }
  const rest = carry + decoder.decode();
  if (rest.length > 0) yield { firstLineNumber: nextLineNumber, lines: [rest], bytesRead };
}
