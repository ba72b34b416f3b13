import { describe, expect, it } from 'vitest';
import { NewestWindows } from '../../src/consumer/newest-windows.ts';

const window = (entityId: string, windowEnd: number) => ({ entityId, windowEnd });

describe('NewestWindows', () => {
  it('keeps the newest window of each entity and counts the ones it replaced', () => {
    const pending = new NewestWindows<ReturnType<typeof window>>();
    pending.add(window('a', 60_000));
    pending.add(window('b', 60_000));
    pending.add(window('a', 120_000));
    pending.add(window('a', 180_000));
    expect(pending.size).toBe(2);
    expect(pending.take()).toEqual({
      windows: [window('a', 180_000), window('b', 60_000)],
      superseded: 2,
    });
  });

  it('never lets an older window replace a newer one; an equal end replaces, as in the sink', () => {
    const pending = new NewestWindows<{ entityId: string; windowEnd: number; tag: string }>();
    pending.add({ entityId: 'a', windowEnd: 120_000, tag: 'first' });
    pending.add({ entityId: 'a', windowEnd: 60_000, tag: 'older' });
    expect(pending.take().windows.map((w) => w.tag)).toEqual(['first']);
    pending.add({ entityId: 'a', windowEnd: 120_000, tag: 'first' });
    pending.add({ entityId: 'a', windowEnd: 120_000, tag: 'again' });
    expect(pending.take()).toEqual({
      windows: [{ entityId: 'a', windowEnd: 120_000, tag: 'again' }],
      superseded: 1,
    });
  });

  it('starts empty after take', () => {
    const pending = new NewestWindows<ReturnType<typeof window>>();
    pending.add(window('a', 60_000));
    pending.add(window('a', 120_000));
    pending.take();
    expect(pending.size).toBe(0);
    pending.add(window('a', 60_000));
    expect(pending.take()).toEqual({ windows: [window('a', 60_000)], superseded: 0 });
  });
});
