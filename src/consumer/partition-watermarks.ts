/**
 * The watermarks of a consumer's partitions (docs/windows.md: the minimum over partitions that
 * are not idle), and for each partition the watermark its windows fire at.
 *
 * A partition fires at min(G, its own watermark), G being the group-wide minimum, which never
 * goes back. For partitions owned all along that is G itself. The difference is a partition
 * taken over in a rebalance or after a restart while G had moved on: it starts at the horizon
 * its last commit recorded and catches up on its own, instead of seeing its backlog as late.
 * An idle partition fires at G. A partition with messages still to read is never idle.
 */
import { WatermarkGenerator } from '../core/utils/watermarks.ts';

export class PartitionWatermarks {
  private readonly generator: WatermarkGenerator;

  constructor(options: { maxOutOfOrdernessMs: number; idleTimeoutMs: number }) {
    this.generator = new WatermarkGenerator(options);
  }

  /** The group-wide watermark G. */
  get watermark(): number {
    return this.generator.watermark;
  }

  /** A partition joins, resuming at the horizon of its last commit (minus infinity if none). */
  add(partition: number, horizon: number, nowMs: number): void {
    this.generator.restore(partition, horizon, nowMs);
    this.generator.recompute(nowMs);
  }

  remove(partition: number, nowMs: number): void {
    this.generator.removePartition(partition);
    this.generator.recompute(nowMs);
  }

  observe(partition: number, timeMs: number, nowMs: number): void {
    this.generator.observe(timeMs, partition, nowMs);
  }

  /** The partition has a backlog: it must hold the watermark back, not count as idle. */
  markBacklog(partition: number, nowMs: number): void {
    this.generator.touch(partition, nowMs);
  }

  recompute(nowMs: number): void {
    this.generator.recompute(nowMs);
  }

  /** The watermark the partition's windows fire at now. */
  firingWatermark(partition: number, nowMs: number): number {
    const group = this.generator.watermark;
    if (this.generator.isIdle(partition, nowMs)) return group;
    return Math.min(group, this.generator.partitionWatermark(partition));
  }
}
