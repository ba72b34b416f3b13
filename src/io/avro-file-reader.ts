/**
 * Reads an Avro object container file (`.avro`) as batches of records, decoded with the writer
 * schema the file carries. A corrupt or truncated file ends the batches with a `failure`
 * instead of throwing, so the caller can dead-letter it and keep what was read.
 */
import avro from 'avsc';

export interface AvroRecordBatch {
  /** 1-based index of the first record in `records`. */
  firstRecordNumber: number;
  records: unknown[];
  failure?: string;
}

const BATCH_RECORDS = 4096;

export async function* readAvroRecordBatches(path: string): AsyncGenerator<AvroRecordBatch> {
  const decoder = avro.createFileDecoder(path);
  let next = 1;
  let batch: unknown[] = [];
  try {
    for await (const record of decoder as AsyncIterable<unknown>) {
      batch.push(record);
      if (batch.length >= BATCH_RECORDS) {
        yield { firstRecordNumber: next, records: batch };
        next += batch.length;
        batch = [];
      }
    }
  } catch (error) {
    yield {
      firstRecordNumber: next,
      records: batch,
      failure: `Avro file ${path} is corrupt or truncated after record ${next + batch.length - 1}: ${(error as Error).message}`,
    };
    return;
  }
  if (batch.length > 0) yield { firstRecordNumber: next, records: batch };
}

/** True when the file starts with the Avro container magic "Obj" 0x01. */
export function looksLikeAvroContainer(firstBytes: Buffer): boolean {
  return (
    firstBytes.length >= 4 &&
    firstBytes[0] === 0x4f &&
    firstBytes[1] === 0x62 &&
    firstBytes[2] === 0x6a &&
    firstBytes[3] === 0x01
  );
}
