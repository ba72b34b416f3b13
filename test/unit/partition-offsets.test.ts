import { describe, expect, it } from 'vitest';
import { PartitionOffsets } from '../../src/consumer/partition-offsets.ts';

describe('PartitionOffsets', () => {
  it('commits nothing before any message', () => {
    expect(new PartitionOffsets().committable(0)).toBeUndefined();
  });

  it('holds the commit at the first event whose last window is still open', () => {
    const offsets = new PartitionOffsets();
    offsets.track(10, 1000); // done once horizon >= 999
    offsets.track(11, 500); // done earlier, but behind offset 10
    offsets.trackDone(12); // an invalid message
    expect(offsets.committable(600)).toBe(10);
    expect(offsets.pending).toBe(3);
    expect(offsets.committable(999)).toBe(13);
    expect(offsets.pending).toBe(0);
  });

  it('never goes back and survives many events', () => {
    const offsets = new PartitionOffsets();
    let last = 0;
    for (let i = 0; i < 20_000; i++) {
      offsets.track(i, i + 100);
      const commit = offsets.committable(i - 50) ?? 0;
      expect(commit).toBeGreaterThanOrEqual(last);
      expect(commit).toBeLessThanOrEqual(i);
      last = commit;
    }
    expect(offsets.committable(Number.POSITIVE_INFINITY)).toBe(20_000);
  });
});
