/**
 * The receiving end of ./batch-channel.ts, on a worker's parent port or on a message port:
 * handles the batches one at a time, in order, says when each is done, and at the end sends the
 * result. The first failure is reported with its message (already written for the user) and
 * everything after it is ignored.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import { describeError, FeatureflowError } from '../core/errors.ts';
import type { FromBatchServer, ToBatchServer } from './batch-channel.ts';

/**
 * `onBatch` may return memory of the batch it no longer needs (its numbers' buffer): it goes
 * back to the sender, which packs the next batch into it.
 */
export function serveBatches<B, R>(
  onBatch: (batch: B) => ArrayBuffer | undefined | Promise<ArrayBuffer | undefined>,
  onFinish: () => R | Promise<R>,
  port: MessagePort = parentPort!,
): void {
  const reply = (message: FromBatchServer<R>, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  let failed = false;
  let queue = Promise.resolve();
  const handle = async (message: ToBatchServer<B>): Promise<void> => {
    if (failed) return;
    try {
      if (message.type === 'batch') {
        const returned = await onBatch(message.batch);
        if (returned === undefined) reply({ type: 'done' });
        else reply({ type: 'done', returned }, [returned]);
      } else {
        reply({ type: 'finished', result: await onFinish() });
      }
    } catch (error) {
      failed = true;
      const code = error instanceof FeatureflowError ? error.code : 'internal';
      reply({ type: 'failed', code, message: describeError(error) });
    }
  };
  port.on('message', (message: ToBatchServer<B>) => {
    queue = queue.then(() => handle(message));
  });
}
