/**
 * The writer thread of replay: packed feature rows in (./packed-rows.ts), NDJSON lines out to
 * the output file. Formatting the numbers of every row and writing them is a large part of
 * replay's work (most of it with 2 rows per event), and here it runs beside the threads that
 * parse and window. Started by ./threaded-row-writer.ts.
 *
 *   packed rows --message--> lines --> NdjsonWriter --> file
 */
import { workerData } from 'node:worker_threads';
import { NdjsonWriter } from '../io/ndjson-writer.ts';
import { serveBatches } from './batch-server.ts';
import { createPackedRowFormatter, type PackedRows } from './packed-rows.ts';

export interface RowWriterThreadData {
  path: string;
  featureNames: readonly string[];
}

const { path, featureNames } = workerData as RowWriterThreadData;
const writer = new NdjsonWriter(path);
const format = createPackedRowFormatter(featureNames);
const writeLine = (line: string) => writer.writeLine(line);

serveBatches<PackedRows, null>(
  async (rows) => {
    format(rows, writeLine);
    // Done once the lines are with the file stream and it is not far behind the disk.
    await writer.flushIfFull();
    return rows.values.buffer as ArrayBuffer;
  },
  async () => {
    await writer.close();
    return null;
  },
);
