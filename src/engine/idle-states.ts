/**
 * The states of entities whose windows have all fired, oldest first, kept for a while instead of
 * dropped: the entity may come back (with many sparse entities, often; deleting a state from the
 * engine's map and adding a new one costs more than keeping it), and a new entity can take over
 * the oldest state and its arrays instead of making new ones. The engine keeps an idle state in its map until it is taken over or evicted;
 * at most `limit` are kept, so memory still follows the open windows.
 *
 * A state that gets an event again is simply active again: its entry here goes stale (its
 * ticket no longer matches) and is skipped.
 */

/** What the queue needs of a state: its id, and a ticket for the queue to stamp (0: active). */
export interface IdleState {
  readonly entityId: string;
  idleTicket: number;
}

export class IdleStates<S extends IdleState> {
  /** Entries from `head` on, oldest first, each with the ticket it had when queued. */
  private readonly states: S[] = [];
  private readonly tickets: number[] = [];
  private head = 0;
  private lastTicket = 0;

  constructor(private readonly limit: number) {}

  /** Queues a state whose windows have all fired; returns a state evicted to stay within the limit. */
  add(state: S): S | undefined {
    state.idleTicket = ++this.lastTicket;
    this.states.push(state);
    this.tickets.push(state.idleTicket);
    return this.states.length - this.head > this.limit ? this.takeOldest() : undefined;
  }

  /** The oldest state still idle, out of the queue; undefined if there is none. */
  takeOldest(): S | undefined {
    const { states, tickets } = this;
    while (this.head < states.length) {
      const index = this.head++;
      const state = states[index]!;
      const idle = state.idleTicket === tickets[index];
      states[index] = undefined as unknown as S;
      if (this.head > 64 && this.head * 2 > states.length) this.dropTaken();
      if (idle) {
        state.idleTicket = 0;
        return state;
      }
    }
    return undefined;
  }

  private dropTaken(): void {
    this.states.splice(0, this.head);
    this.tickets.splice(0, this.head);
    this.head = 0;
  }
}
