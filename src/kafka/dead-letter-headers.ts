/**
 * Headers of a `<topic>.dlq` message (docs/topics.md): the original bytes are the value, and
 * these say why it was rejected and where it came from.
 */
import type { InvalidEvent } from '../core/models/event-validation.ts';

export const DLQ_HEADER_REASON = 'featureflow.error.reason';
export const DLQ_HEADER_CODE = 'featureflow.error.code';
export const DLQ_HEADER_SOURCE = 'featureflow.source';

export function deadLetterHeaders(problem: InvalidEvent, source: string): Record<string, string> {
  return {
    [DLQ_HEADER_REASON]: problem.message,
    [DLQ_HEADER_CODE]: problem.reason,
    [DLQ_HEADER_SOURCE]: source,
  };
}

export const deadLetterTopicOf = (topic: string) => `${topic}.dlq`;
