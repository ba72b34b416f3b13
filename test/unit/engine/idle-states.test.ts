// The idle queue against a plain list of the times states went idle, in order: an entry is stale
// once its state has been active again since; the limit counts entries, stale ones included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IdleState, IdleStates } from '../../../src/engine/idle-states.ts';

describe('IdleStates', () => {
  it('hands out and evicts the states idle longest, skipping the ones active again', () => {
    const steps = fc.array(
      fc.oneof(
        fc.record({ idle: fc.integer({ min: 0, max: 9 }) }),
        fc.record({ active: fc.integer({ min: 0, max: 9 }) }),
        fc.constant('take' as const),
      ),
      { maxLength: 300 },
    );
    fc.assert(
      fc.property(steps, fc.integer({ min: 1, max: 6 }), (input, limit) => {
        const states: IdleState[] = Array.from({ length: 10 }, (_, i) => ({
          entityId: `e${i}`,
          idleTicket: 0,
        }));
        const queue = new IdleStates<IdleState>(limit);
        // Entries of the model: a state and whether it is still idle since that entry.
        const entries: { state: IdleState; stale: boolean }[] = [];
        const takeOldestOfModel = () => {
          while (entries.length > 0) {
            const entry = entries.shift()!;
            if (!entry.stale) return entry.state;
          }
          return undefined;
        };
        for (const step of input) {
          if (step === 'take') {
            const taken = queue.takeOldest();
            expect(taken).toBe(takeOldestOfModel());
            // A state handed out is active (it takes over an entity).
            if (taken !== undefined) expect(taken.idleTicket).toBe(0);
          } else if ('idle' in step) {
            const state = states[step.idle]!;
            // As in the engine: only a state that is active goes idle.
            if (state.idleTicket !== 0) continue;
            const evicted = queue.add(state);
            entries.push({ state, stale: false });
            expect(evicted).toBe(entries.length > limit ? takeOldestOfModel() : undefined);
          } else {
            const state = states[step.active]!;
            state.idleTicket = 0;
            for (const entry of entries) if (entry.state === state) entry.stale = true;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
