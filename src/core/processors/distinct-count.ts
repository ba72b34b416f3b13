/**
 * Counts distinct values of one field over a window's events. Most windows hold a handful of
 * events, where a pairwise scan beats allocating a Set per window (measured: Set allocation
 * was most of the cost of a one-event window); larger windows use a Set.
 */
const PAIRWISE_LIMIT = 16;

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
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(fieldOf(events[i]!));
  return seen.size;
}
