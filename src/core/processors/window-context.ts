/** The window a feature function is computing for: the entity and the bounds [start, end). */
export interface WindowContext {
  readonly entityId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
}
