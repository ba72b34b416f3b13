/**
 * The sending end of work in batches to another thread (./batch-server.ts is the other end):
 * it posts batches, counts the ones not yet done, waits while too many are, and turns a failure
 * of the other side into the error the user sees. Bounded batches in flight keep memory bounded
 * when the other side is slower. The other side is a worker thread this channel owns (replay's
 * window thread), or the thread at the far end of a message port (the rows go back from the
 * window thread to the reading thread, which writes them).
 */
import { type MessagePort, Worker } from 'node:worker_threads';
import { FeatureflowError, type FeatureflowErrorCode } from '../core/errors.ts';

/**
 * From the other side: a batch is done, the work is finished (with its result), or it failed (with
 * a message for the user).
 */
export type FromBatchServer<R> =
  | { type: 'done'; returned?: ArrayBuffer }
  | { type: 'finished'; result: R }
  | { type: 'failed'; code: FeatureflowErrorCode; message: string };

/** To the other side: a batch, or the end of the batches. */
export type ToBatchServer<B> = { type: 'batch'; batch: B } | { type: 'finish' };

export interface BatchChannelOptions {
  maxBatchesInFlight: number;
  /**
   * The user's message when the thread itself fails ("cannot write FILE: <reason>" and the
   * like); a failure the other side reports comes with its own message.
   */
  describeFailure: (reason: string) => string;
  /** The error code when the thread itself fails. */
  failureCode: FeatureflowErrorCode;
  /** Context of the error, e.g. the path. */
  context: Record<string, unknown>;
  /**
   * Takes back the memory of a batch the other side is done with, for the next batch: allocating
   * and first touching half a MiB per batch was a page fault every 4 KiB, and page faults
   * cost more than the copying they were for on a virtual machine.
   */
  onReturned?: (buffer: ArrayBuffer) => void;
}

export class BatchChannel<B, R> {
  private inFlight = 0;
  private result: { value: R } | undefined;
  private stopping = false;
  private failure: { code: FeatureflowErrorCode; message: string } | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly peer: Worker | MessagePort,
    private readonly options: BatchChannelOptions,
  ) {
    peer.on('message', (message: FromBatchServer<R>) => {
      if (message.type === 'done') {
        this.inFlight--;
        if (message.returned !== undefined) this.options.onReturned?.(message.returned);
      } else if (message.type === 'finished') this.result = { value: message.result };
      else this.failure ??= { code: message.code, message: message.message };
      this.wakeWaiter();
    });
    if (peer instanceof Worker) {
      peer.on('error', (error) => this.fail(`its thread failed: ${error.message}`));
      peer.on('exit', (code) => {
        if (!this.stopping) this.fail(`its thread stopped early (exit code ${code})`);
      });
    } else {
      peer.on('close', () => {
        if (!this.stopping) this.fail('the thread at the other end stopped early');
      });
    }
  }

  post(batch: B, transfer: ArrayBuffer[] = []): void {
    if (this.failure !== undefined) return;
    this.inFlight++;
    this.peer.postMessage({ type: 'batch', batch } satisfies ToBatchServer<B>, transfer);
  }

  /** Waits while more than the allowed batches are in flight; throws if the other side failed. */
  async waitForRoom(): Promise<void> {
    while (this.inFlight > this.options.maxBatchesInFlight && this.failure === undefined) {
      await this.nextMessage();
    }
    this.throwIfFailed();
  }

  /** Ends the batches, waits for the other side's result, and stops its thread or closes the port. */
  async finish(): Promise<R> {
    if (this.failure === undefined) {
      this.peer.postMessage({ type: 'finish' } satisfies ToBatchServer<B>);
      while (this.result === undefined && this.failure === undefined) await this.nextMessage();
    }
    await this.stop();
    this.throwIfFailed();
    return this.result!.value;
  }

  /** Stops the thread, or closes the port, without waiting for the work (after a failure elsewhere). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.peer instanceof Worker) await this.peer.terminate();
    else this.peer.close();
  }

  private fail(reason: string): void {
    this.failure ??= {
      code: this.options.failureCode,
      message: this.options.describeFailure(reason),
    };
    this.wakeWaiter();
  }

  private nextMessage(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeWaiter(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      const { code, message } = this.failure;
      throw new FeatureflowError(code, message, { context: this.options.context });
    }
  }
}
