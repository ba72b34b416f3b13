/**
 * The order in which the windows of one end fire: by entity id (docs/windows.md). Sorting every
 * end's entities from scratch was a tenth of replay with 10,000 cards (6,000 windows an end, a
 * dozen string comparisons each). Consecutive ends mostly hold the same entities, since a window
 * of 5 minutes with a slide of 1 shares 4 minutes with the next one, so the order of the last
 * end is kept: the entities it shares with this end come out of it already in order, only the
 * others are sorted, and the two runs are merged.
 */

/** An entity with a window at the end being fired; `firingMark` and `firingId` belong to FiringOrder. */
export interface FiringEntity {
  readonly entityId: string;
  firingMark: number;
  /**
   * The id the entity had when last put in order: the engine reuses the state of an entity with
   * no open window for another entity, and a state renamed since is not in order any more.
   */
  firingId: string;
}

/** Entity order within one window end: plain string order, as Flink and most languages sort. */
export function compareEntityIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEntities(a: FiringEntity, b: FiringEntity): number {
  return compareEntityIds(a.entityId, b.entityId);
}

export class FiringOrder<T extends FiringEntity> {
  /** The last end's entities in order, refilled by every `sort`, which returns it. */
  private order: T[] = [];
  /** Scratch: the entities of this end found in the last one, in its order. */
  private readonly carried: T[] = [];
  private mark = 0;

  /**
   * `entities` (each entity once) in entity order, valid until the next call. Takes ownership
   * of the array.
   */
  sort(entities: T[]): readonly T[] {
    // Marks: `mark` for this end's entities, `-mark` once found in the previous order.
    const mark = ++this.mark;
    for (const entity of entities) entity.firingMark = mark;
    const { order, carried } = this;
    let carriedCount = 0;
    for (let i = 0; i < order.length; i++) {
      const entity = order[i]!;
      if (entity.firingMark === mark && entity.firingId === entity.entityId) {
        entity.firingMark = -mark;
        carried[carriedCount++] = entity;
      }
    }
    // Only the entities not carried need their id stamped: a carried one was checked to have it.
    if (carriedCount === 0) {
      this.order = stampIds(entities.sort(compareEntities));
    } else {
      const fresh = entities.filter((entity) => entity.firingMark === mark).sort(compareEntities);
      // The carried entities are copied out, so the order is rewritten in place.
      mergeInto(order, carried, carriedCount, stampIds(fresh));
      for (let i = 0; i < carriedCount; i++) carried[i] = undefined as unknown as T;
    }
    return this.order;
  }
}

/** Marks each entity as placed under its current id; returns the array. */
function stampIds<T extends FiringEntity>(entities: T[]): T[] {
  for (const entity of entities) entity.firingId = entity.entityId;
  return entities;
}

/** The first `aCount` of `a` and all of `b`, both in order, merged into `into`. */
function mergeInto<T extends FiringEntity>(
  into: T[],
  a: readonly T[],
  aCount: number,
  b: readonly T[],
): void {
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < aCount && j < b.length) {
    into[k++] = a[i]!.entityId < b[j]!.entityId ? a[i++]! : b[j++]!;
  }
  while (i < aCount) into[k++] = a[i++]!;
  while (j < b.length) into[k++] = b[j++]!;
  into.length = k;
}
