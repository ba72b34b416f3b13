/**
 * The worker's end of ./batch-channel.ts: handles the batches one at a time, in order, says
 * when each is done, and at the end sends the result. The first failure is reported with its
 * message (already written for the user) and everything after it is ignored.
 */
import { parentPort } from 'node:worker_threads';
import { describeError, FeatureflowError } from '../core/errors.ts';
import type { FromBatchServer, ToBatchServer } from './batch-channel.ts';

export function serveBatches<B, R>(
  onBatch: (batch: B) => void | Promise<void>,
  onFinish: () => R | Promise<R>,
): void {
  const port = parentPort!;
  const reply = (message: FromBatchServer<R>) => port.postMessage(message);
  let failed = false;
  let queue = Promise.resolve();
  const handle = async (message: ToBatchServer<B>): Promise<void> => {
    if (failed) return;
    try {
      if (message.type === 'batch') {
        await onBatch(message.batch);
        reply({ type: 'done' });
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
