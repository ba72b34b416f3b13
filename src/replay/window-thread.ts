/**
 * The window thread of replay: packed valid events in (./packed-events.ts), feature rows out
 * over a port back to the reading thread, which writes them (./row-sender.ts,
 * ./row-writing.ts). It runs the same engine and feature functions as every other runtime, on
 * the events in the order they were read, beside the thread that reads and parses the input.
 * Started by ./threaded-windows.ts.
 *
 *   packed events --message--> windows -> features --port--> reading thread --> file
 *
 * The job's feature function comes from its definitions module, loaded here again (functions
 * do not cross threads); everything else of the job arrives resolved in `workerData`. The
 * module runs as compiled JavaScript (dist/) or bundled into one CommonJS file (a checkout,
 * ./bundled-worker-module.ts), so it has no top-level await.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type MessagePort, workerData } from 'node:worker_threads';
import type { DefinedJob } from '../core/jobs/define-job.ts';
import type { WindowEventField } from '../core/jobs/event-rules-from-schema.ts';
import { definedJobsOf } from '../core/jobs/exported-jobs.ts';
import {
  compileFeatureRowNumbers,
  compileNewFeatureRow,
  compileWindowEventAccessors,
} from '../core/jobs/generated-accessors.ts';
import type { WindowedFeatureRow } from '../core/jobs/job-definition.ts';
import { wrapCompute } from '../core/jobs/window-compute.ts';
import { WindowedEngine } from '../engine/windowed-engine.ts';
import { BUILT_IN_JOBS } from '../jobs/index.ts';
import { serveBatches } from './batch-server.ts';
import { usesFastPath } from './fast-paths.ts';
import { PackedEventReader, type PackedEvents } from './packed-events.ts';
import { RowSender } from './row-sender.ts';

export interface WindowThreadData {
  job: string;
  /**
   * Where `job` is defined, when it is not a built-in one: the user's definitions module
   * (imported as it is), or a CommonJS bundle of it (`bundled`, required).
   */
  definitions: { path: string; bundled: boolean } | undefined;
  windowEventFields: readonly WindowEventField[];
  featureNames: readonly string[];
  dependsOnWindowBounds: boolean;
  windowSizeMs: number;
  slideMs: number;
  maxOutOfOrdernessMs: number;
  outputPath: string;
  /** Where the rows go: the reading thread serves its other end (./row-writing.ts). */
  rowsPort: MessagePort;
}

export interface WindowThreadResult {
  windows: number;
  late: number;
}

const data = workerData as WindowThreadData;
// The feature function, once the job's module has loaded; the first batch waits for it.
const loadingCompute = specOf(data).then((spec) => wrapCompute(data.job, spec.compute));
// Not lost: the batch or the finish that awaits it reports a failure to load.
loadingCompute.catch(() => undefined);
let computeFeaturesInto: Awaited<typeof loadingCompute> | undefined;
const output = new RowSender(
  data.rowsPort,
  data.outputPath,
  data.featureNames,
  compileFeatureRowNumbers(data.featureNames),
);
// One row, filled for every window: the writer's packer copies its numbers out at once, and a
// new row per window was most of this thread's garbage.
const row = compileNewFeatureRow(data.featureNames)() as WindowedFeatureRow;
// Reusing the previous window's row is right only when the function cannot see the bounds.
const keepsFeatures = usesFastPath('kept-features');
const reusesSameEvents = keepsFeatures && !data.dependsOnWindowBounds;
const result: WindowThreadResult = { windows: 0, late: 0 };

// The engine reads each event through the reader, positioned on it: no object per event but the
// window event the windows keep.
const reader = new PackedEventReader({
  windowEventFields: data.windowEventFields,
  ...compileWindowEventAccessors(data.windowEventFields),
});
const engine = new WindowedEngine<PackedEventReader, object>({
  windowSizeMs: data.windowSizeMs,
  slideMs: data.slideMs,
  maxOutOfOrdernessMs: data.maxOutOfOrdernessMs,
  entityOf: (current) => current.entityId,
  timeOf: (current) => current.time,
  windowEventOf: (current) => current.windowEvent(),
  // The row is computed at once and nothing keeps a window or its events after it: the engine
  // lends one window object, and the window events go back to the reader to be filled again.
  lendsWindows: true,
  onEventReleased: (event) => reader.release(event),
  // A window holding the events of the entity's window before it has that window's features
  // (when they do not depend on the bounds): half the windows with 10,000 cards. The writer
  // copies the bytes it kept for the slot.
  onWindowFired: (window, entitySlot, sameEvents) => {
    result.windows++;
    if (sameEvents && reusesSameEvents) {
      output.writeSameFeatures(window.entityId, window.windowStart, window.windowEnd, entitySlot);
    } else {
      output.write(
        computeFeaturesInto!(window.getEvents(), window, row),
        keepsFeatures ? entitySlot : undefined,
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
    computeFeaturesInto ??= await loadingCompute;
    reader.load(events);
    while (reader.next()) engine.process(reader);
    await output.flushIfFull();
    return events.values.buffer as ArrayBuffer;
  },
  async () => {
    computeFeaturesInto ??= await loadingCompute;
    engine.flush();
    await output.close();
    return result;
  },
);

async function specOf({ job, definitions }: WindowThreadData): Promise<DefinedJob> {
  const builtIn = BUILT_IN_JOBS.find((candidate) => candidate.name === job);
  if (builtIn !== undefined) return builtIn as unknown as DefinedJob;
  if (definitions === undefined) {
    throw new Error(
      `replay's window thread has no definitions for job ${job} (a bug: please report it)`,
    );
  }
  // A bundle is CommonJS; `require` of an absolute path needs no particular base.
  const exports = (
    definitions.bundled
      ? createRequire(join(process.cwd(), 'window-thread.cjs'))(definitions.path)
      : await import(pathToFileURL(definitions.path).href)
  ) as Record<string, unknown>;
  const spec = definedJobsOf(exports, definitions.path).find((candidate) => candidate.name === job);
  if (spec === undefined) {
    throw new Error(
      `replay's window thread found no job ${job} in ${definitions.path} (a bug: please report it)`,
    );
  }
  return spec;
}
