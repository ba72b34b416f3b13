/**
 * Progress on stderr: a bar when it is a terminal; otherwise (CI, logs, `2> file`) one plain
 * line every few seconds with the count, the share done and the rate, so a long run is seen to
 * move without filling the log.
 */
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` of `total` (in the bar's unit); `events`: events handled so far, when they are not the unit. */
  update(done: number, total: number, events?: number): void;
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

/**
 * Every interval: "replay: 120,000 events (24,000 events/s), 1,048,576 of 4,194,304 bytes (25%)"
 * when the events are counted apart from the unit, else "generate: 250,000 of 1,000,000 events
 * (25%), 50,000 events/s".
 */
function createProgressLines(
  label: string,
  unit: string,
  stream: Writable,
  options: ProgressOptions,
): Progress {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? PROGRESS_LINE_INTERVAL_MS;
  let last: { at: number; done: number; events: number } | undefined;
  return {
    update(done, total, events) {
      const at = now();
      if (last === undefined) {
        last = { at, done, events: events ?? 0 };
        return;
      }
      if (at - last.at < intervalMs) return;
      const perSecond = (from: number, to: number) =>
        formatCount(((to - from) * 1000) / (at - last!.at));
      const share = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
      const amount = `${formatCount(done)} of ${formatCount(total)} ${unit}${share}`;
      stream.write(
        events === undefined
          ? `${label}: ${amount}, ${perSecond(last.done, done)} ${unit}/s\n`
          : `${label}: ${formatCount(events)} events (${perSecond(last.events, events)} events/s), ${amount}\n`,
      );
      last = { at, done, events: events ?? 0 };
    },
    stop() {},
  };
}

/** "1234567" -> "1,234,567": counts people read at a glance. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
