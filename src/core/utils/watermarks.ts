/**
 * Event-time watermarks (docs/windows.md): per partition, the largest event time seen minus
 * the max out-of-orderness; overall, the minimum over partitions that are not idle. The
 * overall watermark never goes back, as in Flink.
 */

interface PartitionState {
  watermark: number;
  lastEventAtMs: number;
}

export interface WatermarkGeneratorOptions {
  maxOutOfOrdernessMs: number;
  /** A partition without events for this long (wall clock) stops holding the watermark back. */
  idleTimeoutMs?: number;
}

export class WatermarkGenerator {
  private readonly partitions = new Map<number, PartitionState>();
  private current = Number.NEGATIVE_INFINITY;
  private readonly maxOutOfOrdernessMs: number;
  private readonly idleTimeoutMs: number;

  constructor(options: WatermarkGeneratorOptions) {
    this.maxOutOfOrdernessMs = options.maxOutOfOrdernessMs;
    this.idleTimeoutMs = options.idleTimeoutMs ?? Number.POSITIVE_INFINITY;
  }

  /** The overall watermark; minus infinity before the first event. */
  get watermark(): number {
    return this.current;
  }

  /**
   * Records an event of `partition` and returns the overall watermark after it. With one
   * partition this is exactly W = max(W, t - D).
   */
  observe(timeMs: number, partition = 0, nowMs = 0): number {
    const candidate = timeMs - this.maxOutOfOrdernessMs;
    const state = this.partitions.get(partition);
    if (state === undefined) {
      this.partitions.set(partition, { watermark: candidate, lastEventAtMs: nowMs });
    } else {
      if (candidate > state.watermark) state.watermark = candidate;
      state.lastEventAtMs = nowMs;
    }
    if (this.partitions.size === 1) {
      if (candidate > this.current) this.current = candidate;
      return this.current;
    }
    return this.recompute(nowMs);
  }

  /**
   * Re-evaluates idleness at wall-clock `nowMs` (call it periodically): a partition silent for
   * the idle timeout no longer holds the watermark back. When every partition is idle the
   * watermark stays where it is.
   */
  recompute(nowMs: number): number {
    let minimum = Number.POSITIVE_INFINITY;
    for (const state of this.partitions.values()) {
      if (nowMs - state.lastEventAtMs >= this.idleTimeoutMs) continue;
      if (state.watermark < minimum) minimum = state.watermark;
    }
    if (minimum !== Number.POSITIVE_INFINITY && minimum > this.current) this.current = minimum;
    return this.current;
  }

  /** Starts a partition at a known watermark (taken over after a restart or rebalance). */
  restore(partition: number, watermark: number, nowMs: number): void {
    const state = this.partitions.get(partition);
    if (state === undefined) this.partitions.set(partition, { watermark, lastEventAtMs: nowMs });
    else if (watermark > state.watermark) state.watermark = watermark;
  }

  /** A partition's own watermark (its largest event time minus D), if it is known. */
  partitionWatermark(partition: number): number {
    return this.partitions.get(partition)?.watermark ?? Number.NEGATIVE_INFINITY;
  }

  isIdle(partition: number, nowMs: number): boolean {
    const state = this.partitions.get(partition);
    return state !== undefined && nowMs - state.lastEventAtMs >= this.idleTimeoutMs;
  }

  /**
   * Keeps a partition from going idle without an event: the consumer calls it while the
   * partition still has messages to read, since a partition with a backlog is not idle.
   */
  touch(partition: number, nowMs: number): void {
    const state = this.partitions.get(partition);
    if (state !== undefined) state.lastEventAtMs = nowMs;
  }

  /** Drops a partition (revoked in a rebalance): it no longer holds the watermark back. */
  removePartition(partition: number): void {
    this.partitions.delete(partition);
  }

  /** The partitions currently idle at `nowMs`, for status lines. */
  idlePartitions(nowMs: number): number[] {
    const idle: number[] = [];
    for (const [partition, state] of this.partitions) {
      if (nowMs - state.lastEventAtMs >= this.idleTimeoutMs) idle.push(partition);
    }
    return idle;
  }
}
