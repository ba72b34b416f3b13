/** One line per entity for the demo's closing summary: the window and a few features. */
import type { StoredWindow } from '../core/sinks/feature-store.ts';
import type { DemoJob } from './demo-jobs.ts';

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function formatFeatures(job: DemoJob, window: StoredWindow): string {
  const values = job.shown.map((name) => {
    const value = window.features[name];
    const shown =
      typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(3)) : value;
    return `${name} ${shown}`;
  });
  return `window ${clock(window.window_start)}-${clock(window.window_end)} ${values.join(', ')}`;
}
