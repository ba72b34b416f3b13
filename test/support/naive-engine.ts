/**
 * A brute-force reading of docs/windows.md, written for clarity only: every window ever opened
 * is kept, and after every event all of them are scanned. The fast engine is tested against it.
 */
export interface NaiveWindow<E> {
  entityId: string;
  windowStart: number;
  windowEnd: number;
  events: E[];
  fired: boolean;
  /** How many events had been read when the window fired (events.length at the end). */
  firedAfter: number;
}

export interface NaiveResult<E> {
  fired: NaiveWindow<E>[];
  late: E[];
}

export function runNaiveEngine<E>(
  events: readonly E[],
  options: {
    windowSizeMs: number;
    slideMs: number;
    maxOutOfOrdernessMs: number;
    entityOf: (e: E) => string;
    timeOf: (e: E) => number;
  },
): NaiveResult<E> {
  const { windowSizeMs: S, slideMs: L, maxOutOfOrdernessMs: D } = options;
  let W = Number.NEGATIVE_INFINITY;
  const windows = new Map<string, NaiveWindow<E>>();
  const fired: NaiveWindow<E>[] = [];
  const late: E[] = [];
  let read = 0;
  const fire = (predicate: (w: NaiveWindow<E>) => boolean) => {
    const ready = [...windows.values()]
      .filter((w) => !w.fired && predicate(w))
      .sort((a, b) =>
        a.windowEnd !== b.windowEnd
          ? a.windowEnd - b.windowEnd
          : a.entityId < b.entityId
            ? -1
            : a.entityId > b.entityId
              ? 1
              : 0,
      );
    for (const w of ready) {
      w.fired = true;
      w.firedAfter = read;
      fired.push(w);
    }
  };
  for (const event of events) {
    read++;
    const t = options.timeOf(event);
    const entityId = options.entityOf(event);
    let added = false;
    // Every multiple of L from well below t - S up to t: keep those whose window contains t.
    for (let s = (Math.floor((t - S) / L) - 1) * L; s <= t; s += L) {
      const e = s + S;
      if (!(s <= t && t < e)) continue;
      if (W >= e - 1) continue;
      const key = `${entityId}\u0000${s}`;
      let w = windows.get(key);
      if (!w) {
        w = { entityId, windowStart: s, windowEnd: e, events: [], fired: false, firedAfter: -1 };
        windows.set(key, w);
      }
      w.events.push(event);
      added = true;
    }
    if (!added) late.push(event);
    W = Math.max(W, t - D);
    fire((w) => w.windowEnd - 1 <= W);
  }
  fire(() => true);
  return { fired, late };
}
