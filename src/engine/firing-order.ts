/**
 * The order in which the windows of one end fire: by entity id (DESIGN section 5). Sorting every
 * end's entities from scratch was a tenth of replay with 10,000 cards (6,000 windows an end, a
 * dozen string comparisons each). Consecutive ends mostly hold the same entities, since a window
 * of 5 minutes with a slide of 1 shares 4 minutes with the next one, so the order of the last
 * end is kept: the entities it shares with this end come out of it already in order, only the
 * others are sorted, and the two runs are merged.
 */

/** An entity with a window at the end being fired; `firingMark` belongs to FiringOrder. */
export interface FiringEntity {
  readonly entityId: string;
  firingMark: number;
}

/** Entity order within one window end: plain string order, as Flink and most languages sort. */
export function compareEntityIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEntities(a: FiringEntity, b: FiringEntity): number {
  return compareEntityIds(a.entityId, b.entityId);
}

export class FiringOrder<T extends FiringEntity> {
  private previous: T[] = [];
  /**
   * The ids the previous entities had: the engine reuses the state of an entity that has no
   * open window for another entity, and a state renamed since is not in order any more.
   */
  private previousIds: string[] = [];
  private mark = 0;

  /** `entities` (each entity once) in entity order. Takes ownership of the array. */
  sort(entities: T[]): T[] {
    // Marks: `mark` for this end's entities, `-mark` once found in the previous order.
    const mark = ++this.mark;
    for (const entity of entities) entity.firingMark = mark;
    const carried: T[] = [];
    const { previous, previousIds } = this;
    for (let i = 0; i < previous.length; i++) {
      const entity = previous[i]!;
      if (entity.firingMark === mark && entity.entityId === previousIds[i]) {
        entity.firingMark = -mark;
        carried.push(entity);
      }
    }
    let sorted: T[];
    if (carried.length === 0) {
      sorted = entities.sort(compareEntities);
    } else {
      const fresh = entities.filter((entity) => entity.firingMark === mark).sort(compareEntities);
      sorted = fresh.length === 0 ? carried : merge(carried, fresh);
    }
    this.previous = sorted;
    this.previousIds = sorted.map((entity) => entity.entityId);
    return sorted;
  }
}

function merge<T extends FiringEntity>(a: T[], b: T[]): T[] {
  const merged: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    merged[k++] = a[i]!.entityId < b[j]!.entityId ? a[i++]! : b[j++]!;
  }
  while (i < a.length) merged[k++] = a[i++]!;
  while (j < b.length) merged[k++] = b[j++]!;
  return merged;
}
