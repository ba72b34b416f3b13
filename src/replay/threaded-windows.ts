/**
 * Replay's windows, features and rows, on a thread of their own (./window-thread.ts): the
 * reading thread parses and validates, and hands each valid event over; the window thread
 * windows them, computes the features and has the rows written. Reading and parsing the input
 * is the larger half of replay, so the two halves now run side by side (and the rows are
 * formatted on a third thread).
 *
 * `add` is synchronous; events go over in batches of numbers and strings (./packed-events.ts).
 * `flushIfFull` waits while the window thread is more than a few batches behind.
 */
import type { FeatureJobConfig } from '../core/models/config.ts';
import { jobDefinition } from '../core/processors/job-definitions.ts';
import { BatchChannel } from './batch-channel.ts';
import type { EventLineScanner } from './event-line-scanner.ts';
import { EventPacker, type PackedEvents } from './packed-events.ts';
import { startTypeScriptWorker } from './typescript-worker.ts';
import type { WindowThreadData, WindowThreadResult } from './window-thread.ts';

const BATCH_EVENTS = 16384;
// Room for the start of the thread (about half a second) before the reader has to wait.
const MAX_BATCHES_IN_FLIGHT = 8;

export class ThreadedWindows {
  private readonly packer: EventPacker;
  private readonly entityOf: (event: never) => string;
  private readonly channel: BatchChannel<PackedEvents, WindowThreadResult>;

  constructor(config: FeatureJobConfig, outputPath: string) {
    const job = jobDefinition(config.job);
    this.entityOf = job.entityOf;
    this.packer = new EventPacker(job, BATCH_EVENTS);
    const data: WindowThreadData = { config, outputPath };
    const worker = startTypeScriptWorker(new URL('./window-thread.ts', import.meta.url), data);
    this.channel = new BatchChannel(worker, {
      maxBatchesInFlight: MAX_BATCHES_IN_FLIGHT,
      describeFailure: (reason) => `replay's window thread failed: ${reason}`,
      failureCode: 'internal',
      context: { output: outputPath },
      onReturned: (buffer) => this.packer.recycle(buffer),
    });
  }

  /** Hands over a valid event (late ones too: their times move the watermark). */
  add(event: { timestamp: number }): void {
    if (this.packer.isFull) this.send();
    this.packer.add(event, this.entityOf(event as never), event.timestamp);
  }

  /** `add` for the valid event `scanner` has just read from a line, at `time`. */
  addScanned(scanner: EventLineScanner, time: number): void {
    if (this.packer.isFull) this.send();
    this.packer.addScanned(scanner, time);
  }

  async flushIfFull(): Promise<void> {
    await this.channel.waitForRoom();
  }

  /** Step 4: the end of the input; every open window fires and the rows file is closed. */
  async finish(): Promise<WindowThreadResult> {
    if (this.packer.count > 0) this.send();
    return this.channel.finish();
  }

  /** Stops the threads without finishing (the replay failed elsewhere). */
  async stop(): Promise<void> {
    await this.channel.stop();
  }

  private send(): void {
    const events = this.packer.take();
    this.channel.post(events, [events.values.buffer as ArrayBuffer]);
  }
}
