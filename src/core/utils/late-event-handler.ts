/**
 * Late events (docs/windows.md, step 2): an event that joined no window because every window
 * containing it had already fired. It is never dropped silently: it is counted and handed to
 * the late output (a file, a `<topic>.late` topic).
 */
export type LateEventOutput<E> = (event: E, watermark: number) => void;

export class LateEventHandler<E> {
  private lateCount = 0;

  constructor(
    private readonly output: LateEventOutput<E>,
    private readonly onCounted: () => void = () => {},
  ) {}

  handle(event: E, watermark: number): void {
    this.lateCount++;
    this.onCounted();
    this.output(event, watermark);
  }

  get count(): number {
    return this.lateCount;
  }
}
