/** Writes a generated event stream to an NDJSON file or an Avro object container file. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import avro from 'avsc';
import { wireTypeOfSchema } from '../core/utils/avro.ts';
import { NdjsonWriter } from '../io/ndjson-writer.ts';
import { type EventStreamOptions, generateEventStream } from './event-stream.ts';

export interface GenerateSummary {
  events: number;
  late: number;
  invalid: number;
}

export async function generateFile(
  path: string,
  options: Omit<EventStreamOptions, 'forAvro'>,
  onProgress?: (done: number, total: number) => void,
): Promise<GenerateSummary> {
  const forAvro = path.endsWith('.avro');
  const summary: GenerateSummary = { events: 0, late: 0, invalid: 0 };
  const stream = generateEventStream({ ...options, forAvro });
  if (forAvro) {
    // The wire form (enums as strings), so that an invalid enum symbol can still be written.
    const type = wireTypeOfSchema(options.job.eventSchema);
    const file = createWriteStream(path);
    const encoder = new avro.streams.BlockEncoder(type);
    encoder.pipe(file);
    for (const item of stream) {
      summary.events++;
      if (item.kind === 'late') summary.late++;
      if (item.kind === 'invalid') summary.invalid++;
      const value = 'event' in item ? item.event : 'object' in item ? item.object : undefined;
      if (!encoder.write(value)) await once(encoder, 'drain');
      if (summary.events % 100_000 === 0) onProgress?.(summary.events, options.events);
    }
    encoder.end();
    await once(file, 'close');
    return summary;
  }
  const writer = new NdjsonWriter(path);
  for (const item of stream) {
    summary.events++;
    if (item.kind === 'late') summary.late++;
    if (item.kind === 'invalid') summary.invalid++;
    if ('rawLine' in item) writer.writeLine(item.rawLine);
    else writer.writeObject('event' in item ? item.event : item.object);
    await writer.flushIfFull();
    if (summary.events % 100_000 === 0) onProgress?.(summary.events, options.events);
  }
  await writer.close();
  return summary;
}
