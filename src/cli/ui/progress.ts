/**
 * Progress on stderr: a bar when it is a terminal; otherwise (CI, logs, `2> file`) one plain
 * line every few seconds with the count, the share done and the rate, so a long run is seen to
 * move without filling the log.
 */
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: Writable & { isTTY?: boolean };
  /** Time between plain lines when the stream is not a terminal. */
  intervalMs?: number;
  now?: () => number;
}

export const PROGRESS_LINE_INTERVAL_MS = 5_000;

export function createProgress(
  label: string,
  unit: string,
  options: ProgressOptions = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return createProgressLines(label, unit, stream, options);
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** "replay: 1,048,576 of 4,194,304 bytes (25%), 524,288 bytes/s" every interval. */
function createProgressLines(
  label: string,
  unit: string,
  stream: Writable,
  options: ProgressOptions,
): Progress {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? PROGRESS_LINE_INTERVAL_MS;
  let last: { at: number; done: number } | undefined;
  return {
    update(done, total) {
      const at = now();
      if (last === undefined) {
        last = { at, done };
        return;
      }
      if (at - last.at < intervalMs) return;
      const rate = ((done - last.done) * 1000) / (at - last.at);
      const share = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
      stream.write(
        `${label}: ${formatCount(done)} of ${formatCount(total)} ${unit}${share}, ${formatCount(rate)} ${unit}/s\n`,
      );
      last = { at, done };
    },
    stop() {},
  };
}

/** "1234567" -> "1,234,567": counts people read at a glance. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
