/**
 * Replay's rows written on the reading thread: packed feature rows come over a message port
 * from the window thread (./row-sender.ts), their NDJSON bytes (./packed-row-bytes.ts) go to
 * the output file. Formatting the numbers of every row is a large part of replay's work (2 rows
 * per event with 10,000 cards); it had a thread of its own, but with two cores three busy
 * threads took turns on them, and each turn found the caches full of another thread's data. On
 * the reading thread, two busy threads for two cores, replay took a twentieth less time and CPU.
 *
 *   packed rows --port--> UTF-8 bytes (./packed-row-bytes.ts) --> ByteFileWriter --> file
 */
import type { MessagePort } from 'node:worker_threads';
import { ByteFileWriter } from '../io/byte-file-writer.ts';
import { serveBatches } from './batch-server.ts';
import { createPackedRowEncoder } from './packed-row-bytes.ts';
import type { PackedRows } from './packed-rows.ts';

export interface RowWriting {
  /** Closes the port and the file, if the sender has not finished (replay failed elsewhere). */
  stop(): Promise<void>;
}

/** Writes the rows arriving on `port` to `path`; the file is closed when the sender finishes. */
export function serveRowWriting(
  port: MessagePort,
  path: string,
  featureNames: readonly string[],
): RowWriting {
  const file = new ByteFileWriter(path);
  const encode = createPackedRowEncoder(featureNames);
  let closing: Promise<void> | undefined;
  serveBatches<PackedRows, null>(
    async (rows) => {
      encode(rows, file);
      // Done once the bytes are in the file's buffers and the file is not far behind the disk.
      await file.flushIfFull();
      return rows.values.buffer as ArrayBuffer;
    },
    async () => {
      closing = file.close();
      await closing;
      return null;
    },
    port,
  );
  return {
    async stop() {
      port.close();
      // A failure of the file was reported where it happened; here it is only let go.
      closing ??= file.close();
      await closing.catch(() => {});
    },
  };
}
