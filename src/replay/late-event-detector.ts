/**
 * Replay's watermark and lateness in the reading thread (docs/windows.md): which valid events
 * join no window, known as they are read, so the late output is written from the parsed event
 * itself. The window thread's engine reaches the same verdicts from the same times in the same
 * order (the same watermark rule, the same window arithmetic); replay checks the counts agree.
 */
import type { FeatureJobConfig } from '../core/models/config.ts';
import { WatermarkGenerator } from '../core/utils/watermarks.ts';
import { firstOpenWindowStart, lastWindowStart } from '../core/utils/windowing.ts';

export class LateEventDetector {
  private readonly watermarks: WatermarkGenerator;
  private readonly windowSizeMs: number;
  private readonly slideMs: number;

  constructor(config: FeatureJobConfig) {
    this.watermarks = new WatermarkGenerator({ maxOutOfOrdernessMs: config.maxOutOfOrdernessMs });
    this.windowSizeMs = config.windowSizeMs;
    this.slideMs = config.slideMs;
  }

  /** Steps 2 and 3 for a valid event's time: true if it joins no window; then W advances. */
  isLate(timeMs: number): boolean {
    const late =
      firstOpenWindowStart(timeMs, this.watermarks.watermark, this.windowSizeMs, this.slideMs) >
      lastWindowStart(timeMs, this.slideMs);
    this.watermarks.observe(timeMs);
    return late;
  }
}
