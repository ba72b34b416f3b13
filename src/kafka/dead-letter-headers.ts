/**
 * A `<topic>.dlq` message (docs/topics.md): the original value bytes, the original key bytes
 * and the original headers, plus headers that say why it was rejected and where it came from.
 * Those are written twice: under featureflow's names, and under Kafka Connect's
 * (`__connect.errors.*`, as its `errors.deadletterqueue.context.headers.enable` writes them), so
 * the tools an operator already points at Connect's dead-letter topics read ours too.
 */
import type { InvalidEvent } from '../core/models/event-validation.ts';
import type { KafkaHeaders } from './kafka-types.ts';
import type { OutgoingMessage } from './message-producer.ts';

export const DLQ_HEADER_REASON = 'featureflow.error.reason';
export const DLQ_HEADER_CODE = 'featureflow.error.code';
export const DLQ_HEADER_SOURCE = 'featureflow.source';

/** Kafka Connect's dead-letter context headers. */
export const CONNECT_HEADER_TOPIC = '__connect.errors.topic';
export const CONNECT_HEADER_PARTITION = '__connect.errors.partition';
export const CONNECT_HEADER_OFFSET = '__connect.errors.offset';
export const CONNECT_HEADER_EXCEPTION_CLASS = '__connect.errors.exception.class.name';
export const CONNECT_HEADER_EXCEPTION_MESSAGE = '__connect.errors.exception.message';

/**
 * Where a rejected record came from: a Kafka message, a record of an input file, or a feature
 * row the consumer runtime computed (it has no message of its own).
 */
export type DeadLetterOrigin =
  | { kind: 'kafka'; topic: string; partition: number; offset: string }
  | { kind: 'file'; path: string; record: number }
  | { kind: 'window'; job: string; entityId: string; windowEnd: number };

export interface RejectedRecord {
  origin: DeadLetterOrigin;
  problem: InvalidEvent;
  /** The original bytes, kept as they were. */
  key: Buffer | string | null;
  value: Buffer;
  headers?: KafkaHeaders | undefined;
}

/** The class name Connect's header carries: one per featureflow reason, e.g. featureflow.missing_field. */
export function exceptionClassOf(problem: InvalidEvent): string {
  return `featureflow.${problem.reason}`;
}

export function deadLetterMessage(record: RejectedRecord): OutgoingMessage {
  const { origin, problem } = record;
  const source =
    origin.kind === 'kafka'
      ? `${origin.topic}/${origin.partition}@${origin.offset}`
      : origin.kind === 'file'
        ? `${origin.path}:${origin.record}`
        : `${origin.job} window ${origin.entityId}@${origin.windowEnd}`;
  const context: Record<string, string> = {
    [DLQ_HEADER_REASON]: problem.message,
    [DLQ_HEADER_CODE]: problem.reason,
    [DLQ_HEADER_SOURCE]: source,
    ...(origin.kind === 'kafka'
      ? {
          [CONNECT_HEADER_TOPIC]: origin.topic,
          [CONNECT_HEADER_PARTITION]: String(origin.partition),
          [CONNECT_HEADER_OFFSET]: origin.offset,
        }
      : {}),
    [CONNECT_HEADER_EXCEPTION_CLASS]: exceptionClassOf(problem),
    [CONNECT_HEADER_EXCEPTION_MESSAGE]: problem.message,
  };
  // The original headers first: the reason headers of this rejection win over stale ones a
  // record may carry from an earlier trip through a dead-letter topic.
  return { key: record.key, value: record.value, headers: { ...record.headers, ...context } };
}

export const deadLetterTopicOf = (topic: string) => `${topic}.dlq`;
