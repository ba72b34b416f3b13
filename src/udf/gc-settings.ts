/**
 * V8 garbage-collector scheduling for the UDF service. V8 starts incremental marking from a
 * posted task as soon as the old generation's headroom is smaller than the young generation.
 * In `featureflow udf-server` (a heap of about 20 MB, and a young generation grown to its maximum
 * because every batch allocates) that held after nearly every scavenge: a full mark-compact every
 * 100 to 300 ms that freed next to nothing, 3 to 10 per 200,000 windows, 0.5 us of server CPU per
 * window (1.9 to 2.0 against 1.4 to 1.5 us, bench/udf-bridge.ts's client; whether a process fell
 * into it changed with which modules it had loaded). Without the task, marking starts when the
 * old generation reaches its limit: 2 mark-compacts in 2.8 million windows. Only when collection
 * starts changes, not what is collected.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/** Once per process; a no-op afterwards. */
export function scheduleGcForThroughput(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--no-incremental-marking-task');
}
