/**
 * The writer thread of replay: packed feature rows in (./packed-rows.ts), NDJSON bytes out to
 * the output file. Formatting the numbers of every row and writing them is a large part of
 * replay's work (most of it with 2 rows per event), and here it runs beside the threads that
 * parse and window. Started by ./threaded-row-writer.ts.
 *
 *   packed rows --message--> UTF-8 bytes (./packed-row-bytes.ts) --> ByteFileWriter --> file
 */
import { workerData } from 'node:worker_threads';
import { ByteFileWriter } from '../io/byte-file-writer.ts';
import { serveBatches } from './batch-server.ts';
import { createPackedRowEncoder } from './packed-row-bytes.ts';
import type { PackedRows } from './packed-rows.ts';

export interface RowWriterThreadData {
  path: string;
  featureNames: readonly string[];
}

const { path, featureNames } = workerData as RowWriterThreadData;
const file = new ByteFileWriter(path);
const encode = createPackedRowEncoder(featureNames);

serveBatches<PackedRows, null>(
  async (rows) => {
    encode(rows, file);
    // Done once the bytes are in the file's buffers and the file is not far behind the disk.
    await file.flushIfFull();
    return rows.values.buffer as ArrayBuffer;
  },
  async () => {
    await file.close();
    return null;
  },
);
