/**
 * The windows a consumer has fired since its last write to Redis, only the newest per entity.
 * Redis keeps one window per entity and window size (docs/redis-layout.md), and the write
 * script never puts an older one over a newer one, so a window followed by a newer one of the
 * same entity before the write could only be overwritten: it is counted as superseded instead
 * of being computed and sent. A consumer catching up a backlog fires many windows per entity
 * between two writes; a live one, mostly one. One consumer has one window size, so the entity
 * alone is the key.
 */
export interface PendingWindow {
  readonly entityId: string;
  readonly windowEnd: number;
}

export class NewestWindows<W extends PendingWindow> {
  private windows: W[] = [];
  private readonly indexByEntity = new Map<string, number>();
  private superseded = 0;

  /** Windows waiting to be written. */
  get size(): number {
    return this.windows.length;
  }

  add(window: W): void {
    const index = this.indexByEntity.get(window.entityId);
    if (index === undefined) {
      this.indexByEntity.set(window.entityId, this.windows.length);
      this.windows.push(window);
      return;
    }
    this.superseded++;
    // An entity's windows fire in order of end; a later equal end wins, as in the sink.
    if (window.windowEnd >= this.windows[index]!.windowEnd) this.windows[index] = window;
  }

  /** The newest window of each entity, in the order each entity first fired, and how many
   * older ones they replaced; empties the set. */
  take(): { windows: W[]; superseded: number } {
    const taken = { windows: this.windows, superseded: this.superseded };
    this.windows = [];
    this.indexByEntity.clear();
    this.superseded = 0;
    return taken;
  }
}
