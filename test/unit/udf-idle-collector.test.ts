// After a burst of calls the UDF server collects its garbage once it is quiet, so that the
// burst's memory goes back; not while a call is in progress, and not for a trickle of calls.
import { describe, expect, it } from 'vitest';
import { createIdleCollector } from '../../src/udf/idle-collector.ts';

async function waitUntil(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('createIdleCollector', () => {
  it('collects the garbage of a burst once no call has come for idleMs', async () => {
    let busy = true;
    const collector = createIdleCollector({ idleMs: 50, afterBytes: 1000, busy: () => busy });
    try {
      // Garbage nothing refers to any more: only a collection clears the weak reference.
      const garbage = new WeakRef(new Array(1000).fill({}));
      collector.activity(600);
      collector.activity(600);
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Quiet, but a call is still in progress.
      expect(collector.collections).toBe(0);
      busy = false;
      await waitUntil('a collection', 5_000, () => collector.collections === 1);
      expect(garbage.deref()).toBeUndefined();
    } finally {
      collector.close();
    }
  });

  it('leaves a trickle below afterBytes to V8, counting from the last collection', async () => {
    const collector = createIdleCollector({ idleMs: 20, afterBytes: 1000, busy: () => false });
    try {
      collector.activity(999);
      collector.activity(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(collector.collections).toBe(0);
      collector.activity(1);
      await waitUntil('the first collection', 5_000, () => collector.collections === 1);
      collector.activity(999);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(collector.collections).toBe(1);
    } finally {
      collector.close();
    }
  });
});
