/**
 * produce: file -> decode -> validate -> Avro (the Flink DDL's schema) -> Kafka, keyed by
 * entity id. Invalid records go to `<topic>.dlq` with their original bytes and the reason in
 * headers (docs/topics.md), and are counted.
 */
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import type { InvalidEvent } from '../core/models/event-validation.ts';
import { AvroSerializer, wireTypeOfSchema } from '../core/utils/avro.ts';
import { readEventFile } from '../io/event-file.ts';
import { deadLetterMessage, deadLetterTopicOf } from '../kafka/dead-letter-headers.ts';
import type { MessageProducer } from '../kafka/message-producer.ts';

export interface ProduceFileOptions {
  job: JobDefinition;
  inputPath: string;
  topic?: string | undefined;
  producer: MessageProducer;
  /** Bytes (or records) read of the input's total, and the events read so far. */
  onProgress?: (done: number, total: number, events: number) => void;
}

export interface ProduceSummary {
  records: number;
  produced: number;
  invalid: number;
  topic: string;
  elapsedMs: number;
}

export async function produceFile(options: ProduceFileOptions): Promise<ProduceSummary> {
  const started = performance.now();
  const { job } = options;
  const topic = options.topic ?? job.topics.events;
  const serializer = new AvroSerializer<unknown>(wireTypeOfSchema(job.eventSchema));
  const entityOf = job.entityOf;
  // The wire schema has nullable strings as unions: an absent one is written as null.
  const nullableFields = job.fieldRules
    .filter((field) => field.rule.kind === 'optional_string')
    .map((field) => field.name);
  const summary: ProduceSummary = { records: 0, produced: 0, invalid: 0, topic, elapsedMs: 0 };
  // Sends are queued synchronously inside the callbacks and awaited per batch.
  const queued: Promise<void>[] = [];

  const reject = (recordNumber: number, problem: InvalidEvent, raw: unknown) => {
    summary.invalid++;
    // A line that is not UTF-8 comes as its bytes, sent as they are.
    const bytes = Buffer.isBuffer(raw)
      ? raw
      : Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw ?? null));
    queued.push(
      options.producer.send(
        deadLetterTopicOf(topic),
        deadLetterMessage({
          origin: { kind: 'file', path: options.inputPath, record: recordNumber },
          problem,
          key: null,
          value: bytes,
        }),
      ),
    );
  };

  const input = await readEventFile(options.inputPath, {
    onValue: (recordNumber, value, raw) => {
      const verdict = job.validate(value);
      if (!verdict.ok) {
        reject(recordNumber, verdict, raw);
        return;
      }
      const event = verdict.event as unknown as Record<string, unknown>;
      for (const field of nullableFields) if (event[field] === undefined) event[field] = null;
      summary.produced++;
      queued.push(
        options.producer.send(topic, { key: entityOf(event), value: serializer.serialize(event) }),
      );
    },
    onUndecodable: reject,
    // A damaged part of an Avro file goes to the dead-letter topic with its reason.
    onDamage: (recordNumber, damage) =>
      reject(recordNumber, { ok: false, reason: damage.code, message: damage.message }, null),
    onBatchEnd: async (done, total) => {
      await Promise.all(queued.splice(0));
      options.onProgress?.(done, total, summary.produced + summary.invalid);
    },
  });
  await Promise.all(queued.splice(0));
  await options.producer.flush();
  summary.records = input.records;
  summary.elapsedMs = performance.now() - started;
  return summary;
}
