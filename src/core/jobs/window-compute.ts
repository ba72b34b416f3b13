import type { WindowContext } from '../processors/window-context.ts';
import type { JobSpec } from './define-job.ts';
import type { WindowedFeatureRow } from './job-definition.ts';

export type ComputeFeaturesInto = (
  events: readonly object[],
  window: WindowContext,
  row: WindowedFeatureRow,
) => WindowedFeatureRow;

/** A job's `compute` with the window bounds filled in; an empty window is a caller's bug. */
export function wrapCompute(job: string, compute: JobSpec['compute']): ComputeFeaturesInto {
  return (events, window, row) => {
    if (events.length === 0) {
      throw new RangeError(
        `job ${job}: window [${window.windowStart}, ${window.windowEnd}) of '${window.entityId}' has no events (empty windows emit no row)`,
      );
    }
    row.entity_id = window.entityId;
    row.window_start = window.windowStart;
    row.window_end = window.windowEnd;
    compute(events as never, window, row as never);
    return row;
  };
}
