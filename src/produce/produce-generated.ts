/**
 * generate --topic: synthetic events straight to Kafka at a steady rate. Invalid events are
 * produced as they are (Avro-encodable corruptions), so consumers' dead-letter paths get
 * exercised as in production.
 */
import { AvroSerializer, wireTypeOfSchema } from '../core/utils/avro.ts';
import { type EventStreamOptions, generateEventStream } from '../generate/event-stream.ts';
import type { MessageProducer } from '../kafka/message-producer.ts';

export interface ProduceGeneratedOptions {
  stream: Omit<EventStreamOptions, 'forAvro'>;
  topic?: string | undefined;
  /** Events per second; 0 for as fast as Kafka takes them. */
  ratePerSecond: number;
  producer: MessageProducer;
  onProgress?: (done: number, total: number) => void;
}

const TICK_EVENTS = 500;

export async function produceGenerated(options: ProduceGeneratedOptions) {
  const started = performance.now();
  const { job } = options.stream;
  const topic = options.topic ?? job.topics.events;
  const serializer = new AvroSerializer<Record<string, unknown>>(wireTypeOfSchema(job.eventSchema));
  const entityField = job.entityField;
  // newestEventMs: the largest valid event time sent (where a finite stream's windows end).
  const summary = { events: 0, late: 0, invalid: 0, topic, elapsedMs: 0, newestEventMs: 0 };
  for (const item of generateEventStream({ ...options.stream, forAvro: true })) {
    const event = 'event' in item ? item.event : 'object' in item ? item.object : undefined;
    if (event === undefined) continue;
    summary.events++;
    if (item.kind === 'late') summary.late++;
    if (item.kind === 'invalid') summary.invalid++;
    else if ((event[job.timeField] as number) > summary.newestEventMs)
      summary.newestEventMs = event[job.timeField] as number;
    const key = typeof event[entityField] === 'string' ? (event[entityField] as string) : null;
    await options.producer.send(topic, { key, value: serializer.serialize(event) });
    if (summary.events % TICK_EVENTS === 0) {
      options.onProgress?.(summary.events, options.stream.events);
      if (options.ratePerSecond > 0) {
        // Hold the steady rate: sleep until this many events are due.
        const dueAtMs = started + (summary.events / options.ratePerSecond) * 1000;
        const waitMs = dueAtMs - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
  await options.producer.flush();
  summary.elapsedMs = performance.now() - started;
  return summary;
}
