/**
 * Which fetched messages a read_committed consumer may see: none of a transaction the broker
 * reports as aborted. Kafka lists a fetch's aborted transactions in the order their abort
 * markers were written, which is not the order they began in: two transactions aborted
 * together (one per Flink sink subtask, when a job restarts) come in either order. kafkajs
 * 2.2.4 assumes the list is sorted by first offset and takes at most one entry per message, so
 * it hands out the messages of the transaction that began first but was listed second. Here,
 * as in Kafka's Java consumer, the list is sorted by first offset and every transaction that
 * has begun by a message's offset is marked aborted before that message is judged.
 */

/** A message as kafkajs decodes it, with what this filter reads. */
export interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

/** One entry of a fetch response's aborted transactions. */
export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** A control record whose key is version 0, type 0 (ABORT); type 1 would be COMMIT. */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

function isAbortMarker(message: FetchedMessage): boolean {
  return message.key !== null && Buffer.from(message.key).equals(ABORT_MARKER_KEY);
}

/** The messages outside aborted transactions, markers kept (kafkajs drops control records next). */
export function filterAbortedMessages<M extends FetchedMessage>({
  messages,
  abortedTransactions,
}: {
  messages: M[];
  abortedTransactions?: readonly AbortedTransaction[];
}): M[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) =>
    BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1,
  );
  const abortedProducers = new Set<string>();
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (pending.length > 0 && BigInt(pending[0]!.firstOffset) <= offset) {
      abortedProducers.add(String(pending.shift()!.producerId));
    }
    const producerId = String(message.batchContext.producerId);
    if (isAbortMarker(message)) {
      // The transaction ends here; a later one of the same producer may commit.
      abortedProducers.delete(producerId);
      return true;
    }
    return !(message.batchContext.inTransaction && abortedProducers.has(producerId));
  });
}
