// Calls in progress share the event loop one turn each: what was due in between (a timer here,
// a health check in the server) runs between two calls' turns, not after all of them.
import { describe, expect, it } from 'vitest';
import { nextTurn } from '../../src/udf/event-loop-turns.ts';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holding the thread, as a slice of a batch does.
  }
}

describe('nextTurn', () => {
  it('runs what fell due during one turn before the next waiter', async () => {
    const order: string[] = [];
    await Promise.all([
      nextTurn().then(() => {
        order.push('first');
        setTimeout(() => order.push('timer'), 1);
        busyFor(5);
      }),
      nextTurn().then(() => order.push('second')),
      nextTurn().then(() => order.push('third')),
    ]);
    expect(order).toEqual(['first', 'timer', 'second', 'third']);
  });

  it('grants turns in arrival order, including to waiters that come back', async () => {
    const order: string[] = [];
    const worker = async (name: string) => {
      for (let slice = 0; slice < 3; slice++) {
        await nextTurn();
        order.push(`${name}${slice}`);
      }
    };
    await Promise.all([worker('a'), worker('b')]);
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });
});
