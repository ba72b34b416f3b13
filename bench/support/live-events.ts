/**
 * A live event stream for latency benchmarks: generated transactions whose event time is the
 * wall clock (bounded disorder), each sent to Kafka once the wall clock reaches the stream's
 * clock, so the topic sees what a real producer would write at a steady rate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { AvroSerializer } from '../../src/core/utils/avro.ts';
import { generateEventStream } from '../../src/generate/event-stream.ts';
import type { MessageProducer } from '../../src/kafka/message-producer.ts';

export interface LiveEventsOptions {
  producer: MessageProducer;
  topic: string;
  ratePerSecond: number;
  durationMs: number;
  entities: number;
  maxDisorderMs: number;
  maxOutOfOrdernessMs: number;
  startMs: number;
}

/** Streams until the duration is over; returns the number of events sent. */
export async function streamLiveEvents(options: LiveEventsOptions): Promise<number> {
  const serializer = AvroSerializer.forTopic<Record<string, unknown>>('txn.events');
  let clock = options.startMs;
  let sent = 0;
  for (const item of generateEventStream({
    job: builtInJobRegistry().get('transactions'),
    events: Math.ceil((options.ratePerSecond * options.durationMs) / 1000),
    seed: 11,
    entities: options.entities,
    startMs: options.startMs,
    meanGapMs: 1000 / options.ratePerSecond,
    maxDisorderMs: options.maxDisorderMs,
    lateFraction: 0,
    invalidFraction: 0,
    windowSizeMs: 300_000,
    maxOutOfOrdernessMs: options.maxOutOfOrdernessMs,
    forAvro: true,
  })) {
    if (item.kind !== 'valid') continue;
    const event = item.event;
    // The stream's clock is the newest event time so far (disordered events lag it).
    clock = Math.max(clock, event.timestamp as number);
    const waitMs = clock - Date.now();
    if (waitMs > 0) {
      await options.producer.flush();
      await sleep(waitMs);
    }
    await options.producer.send(options.topic, {
      key: event.card_id as string,
      value: serializer.serialize(event),
    });
    sent++;
  }
  await options.producer.flush();
  return sent;
}
