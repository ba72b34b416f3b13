/**
 * Replay's windows and features, on a thread of their own (./window-thread.ts): the reading
 * thread parses and validates, and hands each valid event over; the window thread windows them
 * and computes the features, and sends the rows back over a message port to be formatted and
 * written here (./row-writing.ts), between batches of input. Two busy threads, one per core of
 * a two-core machine.
 *
 * `add` is synchronous; events go over in batches of numbers and strings (./packed-events.ts).
 * `flushIfFull` waits while the window thread is more than a few batches behind; rows are
 * written while it waits.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { isBuiltInJob } from '../core/jobs/load-definitions.ts';
import type { FeatureJobConfig } from '../core/models/config.ts';
import { isCompiledModule, ownModuleUrl } from '../core/utils/own-module.ts';
import { BatchChannel } from './batch-channel.ts';
import { bundledWorkerModule, DEFAULT_WORKER_CACHE } from './bundled-worker-module.ts';
import type { EventLineScanner } from './event-line-scanner.ts';
import { EventPacker, type PackedEvents } from './packed-events.ts';
import { type RowWriting, serveRowWriting } from './row-writing.ts';
import { startTypeScriptWorker } from './typescript-worker.ts';
import type { WindowThreadData, WindowThreadResult } from './window-thread.ts';

const BATCH_EVENTS = 16384;
/** What `featureflow` resolves to in a bundle of a user's definitions (see the file). */
const DEFINITION_API = fileURLToPath(ownModuleUrl('../jobs/definition-api.ts', import.meta.url));
const WINDOW_THREAD = ownModuleUrl('./window-thread.ts', import.meta.url);
// Room for the start of the thread (about half a second) before the reader has to wait.
const MAX_BATCHES_IN_FLIGHT = 8;

export class ThreadedWindows {
  private readonly packer: EventPacker;
  private readonly entityOf: (event: object) => string;
  private readonly channel: BatchChannel<PackedEvents, WindowThreadResult>;
  private readonly rowWriting: RowWriting;

  constructor(config: FeatureJobConfig, outputPath: string) {
    const { job } = config;
    this.entityOf = job.entityOf;
    this.packer = new EventPacker(job, BATCH_EVENTS);
    const rows = new MessageChannel();
    this.rowWriting = serveRowWriting(rows.port1, outputPath, job.featureNames);
    const data: WindowThreadData = {
      job: job.name,
      // The thread needs the job's feature function, and functions do not cross threads: it
      // loads the user's definitions again, compiled as they are, or in a checkout bundled (and
      // cached) like the thread's own modules.
      definitions: isBuiltInJob(job)
        ? undefined
        : isCompiledModule(import.meta.url)
          ? { path: job.module, bundled: false }
          : {
              path: bundledWorkerModule(pathToFileURL(job.module), DEFAULT_WORKER_CACHE, {
                featureflow: DEFINITION_API,
              }),
              bundled: true,
            },
      windowEventFields: job.windowEventFields,
      featureNames: job.featureNames,
      dependsOnWindowBounds: job.dependsOnWindowBounds,
      windowSizeMs: config.windowSizeMs,
      slideMs: config.slideMs,
      maxOutOfOrdernessMs: config.maxOutOfOrdernessMs,
      outputPath,
      rowsPort: rows.port2,
    };
    const worker = startTypeScriptWorker(WINDOW_THREAD, data, [rows.port2]);
    this.channel = new BatchChannel(worker, {
      maxBatchesInFlight: MAX_BATCHES_IN_FLIGHT,
      describeFailure: (reason) => `replay's window thread failed: ${reason}`,
      failureCode: 'internal',
      context: { output: outputPath },
      onReturned: (buffer) => this.packer.recycle(buffer),
    });
  }

  /** Hands over a valid event (late ones too: their times move the watermark). */
  add(event: object, time: number): void {
    if (this.packer.isFull) this.send();
    this.packer.add(event, this.entityOf(event), time);
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
    try {
      return await this.channel.finish();
    } finally {
      // Done already when the window thread finished; after a failure, the file is let go here.
      await this.rowWriting.stop();
    }
  }

  /** Stops the thread and the writing without finishing (the replay failed elsewhere). */
  async stop(): Promise<void> {
    await this.channel.stop();
    await this.rowWriting.stop();
  }

  private send(): void {
    const events = this.packer.take();
    this.channel.post(events, [events.values.buffer as ArrayBuffer]);
  }
}
