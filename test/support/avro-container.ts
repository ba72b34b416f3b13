/**
 * Avro object container files written by avsc (the codec replay reads them with), and where
 * their blocks are, so that tests can cut or corrupt them at chosen places and know which
 * records must still come through.
 */
import avro from 'avsc';
import { txn } from './events.ts';
import { TRANSACTIONS } from './job-events.ts';

export interface ContainerFile {
  bytes: Buffer;
  records: object[];
  /** The blocks in file order: where each starts and ends (sync included), and its records. */
  blocks: { start: number; end: number; firstRecord: number; count: number }[];
}

/** `count` valid transactions in blocks of about `blockBytes` bytes. */
export async function writeTransactionsContainer(
  count: number,
  options: { blockBytes?: number; codec?: 'null' | 'deflate'; seed?: number } = {},
): Promise<ContainerFile> {
  const type = avro.Type.forSchema(TRANSACTIONS.eventSchema as avro.Schema);
  const records = Array.from({ length: count }, (_, i) =>
    txn({
      card_id: `c${(i * 7 + (options.seed ?? 0)) % 13}`,
      timestamp: 1_000 * i,
      amount: i % 50,
    }),
  );
  const encoder = new avro.streams.BlockEncoder(type, {
    blockSize: options.blockBytes ?? 2048,
    codec: options.codec ?? 'null',
  });
  const chunks: Buffer[] = [];
  encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => encoder.on('end', resolve));
  for (const record of records) encoder.write(record);
  encoder.end();
  await done;
  const bytes = Buffer.concat(chunks);
  return { bytes, records, blocks: await blocksOf(bytes) };
}

/** Block boundaries from the sync markers (the file ends with one), counts from avsc. */
async function blocksOf(bytes: Buffer) {
  const sync = bytes.subarray(bytes.length - 16);
  const counts: number[] = [];
  const decoder = new avro.streams.BlockDecoder();
  decoder.on('block', (info: { valueCount: number }) => counts.push(info.valueCount));
  decoder.on('data', () => {});
  const done = new Promise((resolve) => decoder.on('end', resolve));
  decoder.end(bytes);
  await done;
  const ends: number[] = [];
  for (let at = bytes.indexOf(sync); at !== -1; at = bytes.indexOf(sync, at + 1))
    ends.push(at + 16);
  // The first marker ends the header; each later one ends a block.
  let firstRecord = 0;
  return counts.map((count, i) => {
    const block = { start: ends[i]!, end: ends[i + 1]!, firstRecord, count };
    firstRecord += count;
    return block;
  });
}
