/**
 * The writing side of ./packed-rows.ts (./row-writing.ts): the NDJSON line of every packed row, in order,
 * as UTF-8 bytes written straight into the output's buffer (../io/byte-file-writer.ts), exactly
 * the bytes of JSON.stringify of the row with its keys in schema order, plus "\n".
 *
 * Building the lines as strings and encoding them afterwards made 578 MB of short-lived strings
 * for a 1M-event file: the garbage collector, the join and the encoding cost the writing thread
 * more than the formatting itself. Here the keys are encoded once, numbers are written digit by
 * digit (./json-number-bytes.ts), and an entity id of plain ASCII is copied char by char; the
 * window's part is encoded once for the rows of one window in a row, as they come (a window end
 * fires for all its entities at once); and the feature part of a row whose window holds the
 * events of its entity's window before is a copy of that row's (./kept-feature-bytes.ts).
 * It pays: bench/replay-throughput.ts turns it off (row-bytes, ./fast-paths.ts) and prints its
 * share.
 */
import type { ByteSink } from '../io/byte-file-writer.ts';
import { usesFastPath } from './fast-paths.ts';
import { MAX_JSON_NUMBER_BYTES, writeJsonNumber } from './json-number-bytes.ts';
import { KeptFeatureBytes, setBytes } from './kept-feature-bytes.ts';
import {
  FIRST_FEATURE_INDEX,
  keptSlotOf,
  type PackedRows,
  WINDOW_START_INDEX,
} from './packed-rows.ts';

const ENTITY_ID_KEY = utf8('{"entity_id":');
const WINDOW_START_KEY = utf8(',"window_start":');
const WINDOW_END_KEY = utf8(',"window_end":');
const WINDOW_MAX_BYTES =
  WINDOW_START_KEY.length + WINDOW_END_KEY.length + 2 * MAX_JSON_NUMBER_BYTES;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;
/**
 * The most bytes JSON.stringify's text of an entity id can take per UTF-16 code unit: an
 * escaped control character ("\u001f") is 6 ASCII bytes, any other unit at most 3 in UTF-8.
 */
const MAX_ID_BYTES_PER_UNIT = 6;

export function createPackedRowEncoder(
  featureNames: readonly string[],
): (batch: PackedRows, sink: ByteSink) => void {
  return usesFastPath('row-bytes')
    ? createByteEncoder(featureNames)
    : createPlainRowEncoder(featureNames);
}

function createByteEncoder(
  featureNames: readonly string[],
): (batch: PackedRows, sink: ByteSink) => void {
  const keys = featureNames.map((name) => utf8(`,${JSON.stringify(name)}:`));
  const width = FIRST_FEATURE_INDEX + keys.length;
  let keyBytes = 0;
  for (const key of keys) keyBytes += key.length;
  // The features, the closing brace and the newline: what is kept per entity slot.
  const maxFeatureBytes = keyBytes + keys.length * MAX_JSON_NUMBER_BYTES + 2;
  // Everything a packed row can take besides its entity id's characters; the 2 are its quotes.
  const maxRowBytes = ENTITY_ID_KEY.length + WINDOW_MAX_BYTES + 2 + maxFeatureBytes;
  const kept = new KeptFeatureBytes(maxFeatureBytes);

  // The window part of the last row written, kept across batches: a window's rows may span two.
  const windowScratch = new Uint8Array(WINDOW_MAX_BYTES);
  let windowBytes: Uint8Array | undefined;
  let windowStart = Number.NaN;
  let windowEnd = Number.NaN;

  return (batch, sink) => {
    // Read once: a batch comes out of a message as an object V8 may keep in dictionary mode,
    // and each read of its fields is a call into V8's generic property lookup.
    const { values, entityIds, lines, count } = batch;
    let buffer = sink.buffer;
    let bytes = plainBytes(buffer);
    let at = sink.length;
    let idStart = 0;
    for (let index = 0; index < count; index++) {
      const offset = index * width;
      const keptCode = values[offset + 1]!;
      const line = lines?.[index];
      if (line !== undefined) {
        if (keptCode >= 0) kept.forget(keptCode);
        sink.length = at;
        sink.reserve(line.length * 3 + 1);
        buffer = sink.buffer;
        bytes = plainBytes(buffer);
        at = sink.length;
        at += buffer.write(line, at, 'utf8');
        bytes[at++] = NEWLINE;
        continue;
      }
      const idEnd = idStart + values[offset]!;
      const needed = maxRowBytes + MAX_ID_BYTES_PER_UNIT * (idEnd - idStart);
      if (bytes.length - at < needed) {
        sink.length = at;
        sink.reserve(needed);
        buffer = sink.buffer;
        bytes = plainBytes(buffer);
        at = sink.length;
      }

      at = copy(ENTITY_ID_KEY, bytes, at);
      at = writeEntityId(entityIds, idStart, idEnd, buffer, bytes, at);
      idStart = idEnd;

      const start = values[offset + WINDOW_START_INDEX]!;
      const end = values[offset + WINDOW_START_INDEX + 1]!;
      // -0 and 0 are the same text, but NaN must match NaN to reuse its bytes. (Not Object.is:
      // V8 called a builtin for it on every row.)
      if (windowBytes === undefined || !sameText(start, windowStart) || !sameText(end, windowEnd)) {
        windowStart = start;
        windowEnd = end;
        let w = copy(WINDOW_START_KEY, windowScratch, 0);
        w = writeJsonNumber(windowScratch, w, start);
        w = copy(WINDOW_END_KEY, windowScratch, w);
        w = writeJsonNumber(windowScratch, w, end);
        windowBytes = windowScratch.slice(0, w);
      }
      at = copy(windowBytes, bytes, at);

      // NaN (not kept) is neither below 0 nor at or above it.
      if (keptCode < 0) {
        at = kept.copyTo(keptSlotOf(keptCode), bytes, at);
        continue;
      }
      const featuresAt = at;
      for (let i = 0; i < keys.length; i++) {
        at = copy(keys[i]!, bytes, at);
        at = writeJsonNumber(bytes, at, values[offset + FIRST_FEATURE_INDEX + i]!);
      }
      bytes[at++] = CLOSE_BRACE;
      bytes[at++] = NEWLINE;
      if (keptCode >= 0) kept.keep(keptCode, bytes, featuresAt, at);
    }
    sink.length = at;
  };
}

/**
 * The plain counterpart (./fast-paths.ts): each row's line as a string, every value written by
 * JSON.stringify, the feature part kept per entity slot as a string, then encoded into the sink.
 */
function createPlainRowEncoder(
  featureNames: readonly string[],
): (batch: PackedRows, sink: ByteSink) => void {
  const keys = featureNames.map((name) => `,${JSON.stringify(name)}:`);
  const width = FIRST_FEATURE_INDEX + keys.length;
  const keptFeatures: (string | undefined)[] = [];
  const write = (sink: ByteSink, line: string) => {
    sink.reserve(line.length * 3 + 1);
    sink.length += sink.buffer.write(line, sink.length, 'utf8');
    sink.buffer[sink.length++] = NEWLINE;
  };
  return (batch, sink) => {
    const { values, entityIds, lines, count } = batch;
    let idStart = 0;
    for (let index = 0; index < count; index++) {
      const offset = index * width;
      const keptCode = values[offset + 1]!;
      const line = lines?.[index];
      if (line !== undefined) {
        if (keptCode >= 0) keptFeatures[keptCode] = undefined;
        write(sink, line);
        continue;
      }
      const idEnd = idStart + values[offset]!;
      const head =
        `{"entity_id":${JSON.stringify(entityIds.slice(idStart, idEnd))}` +
        `,"window_start":${JSON.stringify(values[offset + WINDOW_START_INDEX])}` +
        `,"window_end":${JSON.stringify(values[offset + WINDOW_START_INDEX + 1])}`;
      idStart = idEnd;
      let features: string;
      if (keptCode < 0) {
        const kept = keptFeatures[keptSlotOf(keptCode)];
        if (kept === undefined)
          throw new Error(
            `replay's row writer has no features kept for entity slot ${keptSlotOf(keptCode)} (a bug in replay, not in the input)`,
          );
        features = kept;
      } else {
        features = '';
        for (let i = 0; i < keys.length; i++) {
          features += keys[i]! + JSON.stringify(values[offset + FIRST_FEATURE_INDEX + i]);
        }
        features += '}';
        if (keptCode >= 0) keptFeatures[keptCode] = features;
      }
      write(sink, head + features);
    }
  };
}

/** Whether two numbers have the same JSON text: equal (0 and -0 alike), or both NaN. */
function sameText(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * JSON.stringify's text of the entity id `ids.slice(start, end)`. An id of printable ASCII
 * without a quote or backslash, the common case, needs no escape: its chars are its bytes.
 * Anything else (escapes, non-ASCII, lone surrogates, which JSON.stringify writes as \u
 * escapes) takes JSON.stringify itself and UTF-8 encoding, as the string path did.
 */
function writeEntityId(
  ids: string,
  start: number,
  end: number,
  buffer: Buffer,
  bytes: Uint8Array,
  at: number,
): number {
  bytes[at] = QUOTE;
  let to = at + 1;
  for (let i = start; i < end; i++) {
    const code = ids.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
      return at + buffer.write(JSON.stringify(ids.slice(start, end)), at, 'utf8');
    }
    bytes[to++] = code;
  }
  bytes[to++] = QUOTE;
  return to;
}

/**
 * `Uint8Array.prototype.set`, measured faster than a byte loop even for the ~15 bytes of a key
 * (Node 20: 18 against 27 ns a key). Writing keys 4 bytes at a time through a DataView was
 * faster alone (13 ns) but gained nothing in the encoder, so it was left out.
 */
function copy(from: Uint8Array, to: Uint8Array, at: number): number {
  setBytes.call(to, from, at);
  return at + from.length;
}

/**
 * The bytes of a Buffer as a plain Uint8Array over the same memory, so every array the encoder
 * reads and writes (keys, the window part, kept bytes, the output) is of one kind. Encoding the
 * 2M rows of the 10,000-card file through the plain view took 2.2 s of CPU against 2.6 s
 * through the Buffer (medians of 9 interleaved passes, 6 of 9 pairs faster; a noisy machine).
 */
function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
