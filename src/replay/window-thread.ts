/**
 * The window thread of replay: packed valid events in (./packed-events.ts), feature rows out
 * over a port back to the reading thread, which writes them (./row-sender.ts,
 * ./row-writing.ts). It runs the same engine and feature functions as every other runtime, on
 * the events in the order they were read, beside the thread that reads and parses the input.
 * Started by ./threaded-windows.ts.
 *
 *   packed events --message--> windows -> features --port--> reading thread --> file
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import type { FeatureJobConfig } from '../core/models/config.ts';
import { jobDefinition } from '../core/processors/job-definitions.ts';
import type { SlidingWindow } from '../core/utils/windowing.ts';
import { WindowedEngine } from '../engine/windowed-engine.ts';
import { serveBatches } from './batch-server.ts';
import { FEATURE_ROW_NUMBERS } from './feature-row-numbers.ts';
import { PackedEventReader, type PackedEvents } from './packed-events.ts';
import { RowSender } from './row-sender.ts';

export interface WindowThreadData {
  config: FeatureJobConfig;
  outputPath: string;
  /** Where the rows go: the reading thread serves its other end (./row-writing.ts). */
  rowsPort: MessagePort;
}

export interface WindowThreadResult {
  windows: number;
  late: number;
}

const { config, outputPath, rowsPort } = workerData as WindowThreadData;
const job = jobDefinition(config.job);
const output = new RowSender(
  rowsPort,
  outputPath,
  job.featureNames,
  FEATURE_ROW_NUMBERS[config.job],
);
const computeFeaturesInto = job.computeFeaturesInto as (
  events: readonly object[],
  processor: FeatureJobConfig['processor'],
  window: SlidingWindow<object>,
  row: object,
) => object;
// One row, filled for every window: the writer's packer copies its numbers out at once, and a
// new row per window was most of this thread's garbage.
const row = job.newFeatureRow();
const result: WindowThreadResult = { windows: 0, late: 0 };

// The engine reads each event through the reader, positioned on it: no object per event but the
// window event the windows keep.
const reader = new PackedEventReader(job);
const engine = new WindowedEngine<PackedEventReader, object>({
  windowSizeMs: config.windowSizeMs,
  slideMs: config.slideMs,
  maxOutOfOrdernessMs: config.maxOutOfOrdernessMs,
  entityOf: (current) => current.entityId,
  timeOf: (current) => current.time,
  windowEventOf: (current) => current.windowEvent(),
  // The row is computed at once and nothing keeps a window or its events after it: the engine
  // lends one window object, and the window events go back to the reader to be filled again.
  lendsWindows: true,
  onEventReleased: (event) => reader.release(event),
  // A window holding the events of the entity's window before it has that window's features:
  // half the windows with 10,000 cards. The writer copies the bytes it kept for the slot.
  onWindowFired: (window, entitySlot, sameEvents) => {
    result.windows++;
    if (sameEvents) {
      output.writeSameFeatures(window.entityId, window.windowStart, window.windowEnd, entitySlot);
    } else {
      output.write(
        computeFeaturesInto(window.getEvents(), config.processor, window, row),
        entitySlot,
      );
    }
  },
  // The reading thread writes the late output; here they are only counted, as a cross-check.
  onLateEvent: () => {
    result.late++;
  },
});

serveBatches<PackedEvents, WindowThreadResult>(
  async (events) => {
    reader.load(events);
    while (reader.next()) engine.process(reader);
    await output.flushIfFull();
    return events.values.buffer as ArrayBuffer;
  },
  async () => {
    engine.flush();
    await output.close();
    return result;
  },
);
