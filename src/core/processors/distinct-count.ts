/**
 * Counts distinct values of one field over a window's events. Tiny windows use a pairwise scan
 * (no allocation); larger ones one scratch Set, cleared and reused, because allocating a Set per
 * window was most of the cost of small windows and a pairwise scan grows quadratically
 * (measured on replay: 15-event windows spent a second in string comparisons per million events).
 */
const PAIRWISE_LIMIT = 4;
// Safe to share: the feature functions are synchronous and never re-enter this one.
const scratch = new Set<string>();

export function countDistinct<E>(events: readonly E[], fieldOf: (event: E) => string): number {
  const n = events.length;
  if (n <= PAIRWISE_LIMIT) {
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      const value = fieldOf(events[i]!);
      let seenBefore = false;
      for (let j = 0; j < i; j++) {
        if (fieldOf(events[j]!) === value) {
          seenBefore = true;
          break;
        }
      }
      if (!seenBefore) distinct++;
    }
    return distinct;
  }
  scratch.clear();
  for (let i = 0; i < n; i++) scratch.add(fieldOf(events[i]!));
  const distinct = scratch.size;
  scratch.clear();
  return distinct;
}
