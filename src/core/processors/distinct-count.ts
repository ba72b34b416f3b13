/**
 * Counts distinct values of one field over a window's events. The distinct values found so far
 * are kept in a short list and each value is compared against it: windows are small (about 15
 * events in a 5 min window with 1,000 busy cards) and fields such as the country have few
 * values, so this is a handful of comparisons per event with no hashing. Once the list is long
 * the rest goes through one scratch Set, cleared and reused, so a large window stays linear.
 * Measured on replay windows: the list is about twice as fast as a Set for every window, and
 * allocating a Set per window was most of the cost of small windows.
 */
const LIST_LIMIT = 16;
// Safe to share: the feature functions are synchronous and never re-enter this one.
const seen: string[] = [];
const scratch = new Set<string>();

export function countDistinct<E>(events: readonly E[], fieldOf: (event: E) => string): number {
  const n = events.length;
  let distinct = 0;
  let i = 0;
  for (; i < n; i++) {
    const value = fieldOf(events[i]!);
    let j = 0;
    while (j < distinct && seen[j] !== value) j++;
    if (j === distinct) {
      if (distinct === LIST_LIMIT) break;
      seen[distinct++] = value;
    }
  }
  if (i < n) distinct = countWithSet(events, fieldOf, i, distinct);
  // Drop the references, so the list does not keep strings of a past window alive. A loop, not
  // fill(): fill is a call into V8's runtime, dearer than clearing the few slots used.
  const used = Math.min(distinct, LIST_LIMIT);
  for (let j = 0; j < used; j++) seen[j] = '';
  return distinct;
}

/** The rest of the events from `from` on, after the list filled up with `listed` values. */
function countWithSet<E>(
  events: readonly E[],
  fieldOf: (event: E) => string,
  from: number,
  listed: number,
): number {
  scratch.clear();
  for (let j = 0; j < listed; j++) scratch.add(seen[j]!);
  for (let i = from; i < events.length; i++) scratch.add(fieldOf(events[i]!));
  const distinct = scratch.size;
  scratch.clear();
  return distinct;
}
