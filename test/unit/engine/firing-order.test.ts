// The kept order of the last end gives the same order as sorting every end from scratch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareEntityIds,
  type FiringEntity,
  FiringOrder,
} from '../../../src/engine/firing-order.ts';

describe('FiringOrder', () => {
  it('sorts each end by entity id, as a full sort does', () => {
    const ids = fc.constantFrom('a', 'b', 'B', 'aa', 'c', 'é', 'card-10', 'card-9', '');
    // Each end: which ids have a window there, and whether an id's state was recreated (a new
    // object for the same id, as when all its windows fired in between) or is the state of
    // another id taken over (as the engine reuses the state of an entity with no open window).
    const states = fc.constantFrom('same' as const, 'recreated' as const, 'taken over' as const);
    const ends = fc.array(fc.array(fc.tuple(ids, states), { maxLength: 9 }), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(ends, (endsInput) => {
        const order = new FiringOrder<FiringEntity>();
        const states = new Map<
          string,
          { entityId: string; firingMark: number; firingId: string }
        >();
        for (const end of endsInput) {
          const entities: FiringEntity[] = [];
          for (const [id, how] of end) {
            if (entities.some((entity) => entity.entityId === id)) continue;
            let state = states.get(id);
            const idle = [...states.values()].find(
              (other) => other.entityId !== id && !entities.includes(other),
            );
            if (how === 'taken over' && idle !== undefined) {
              states.delete(idle.entityId);
              idle.entityId = id;
              state = idle;
              states.set(id, state);
            } else if (state === undefined || how === 'recreated') {
              state = { entityId: id, firingMark: 0, firingId: '' };
              states.set(id, state);
            }
            entities.push(state);
          }
          const expected = [...entities].sort((a, b) => compareEntityIds(a.entityId, b.entityId));
          expect(order.sort(entities)).toEqual(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
