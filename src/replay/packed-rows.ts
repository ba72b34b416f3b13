/**
 * Feature rows packed for the thread that writes them (./row-writing.ts): the numbers of each row
 * (the length of its entity id, what the writer keeps of it, window_start, window_end, then the
 * features in schema order) in one Float64Array that moves to the other thread without a copy,
 * and the entity ids end to end in one string, copied once, rather than thousands of small
 * strings cloned one by one (joined from a list when the batch is taken: a rope of thousands of
 * pieces was slow to flatten when posted). A Float64Array keeps every number bit for bit, so the writer
 * (./packed-row-bytes.ts) writes exactly the values the feature function returned, and exactly
 * what `createRowSerializer` writes. A row holding anything but numbers travels as its finished
 * line instead.
 */
import type { FeatureRowNumbers } from '../core/jobs/generated-accessors.ts';
import { RecycledBuffers } from './recycled-buffers.ts';
import { createRowSerializer } from './row-serializer.ts';

/**
 * A packed row's second number: what the writer does with its features' bytes
 * (./kept-feature-bytes.ts). A slot (0 or more): write them and keep them for that entity slot;
 * `-1 - slot`: they are the bytes kept for that slot, and the row's feature numbers are not
 * packed; NaN: write them only.
 */
export const NOT_KEPT = Number.NaN;
export const sameAsKept = (slot: number): number => -1 - slot;
/** The slot of a row that repeats a kept one, from its code. */
export const keptSlotOf = (code: number): number => -1 - code;
/** Where a row's window_start is among its numbers; the features follow window_end. */
export const WINDOW_START_INDEX = 2;
export const FIRST_FEATURE_INDEX = 4;

export interface PackedRows {
  count: number;
  /** The entity ids of the rows, end to end. */
  entityIds: string;
  /** `count` rows of `4 + featureNames.length` numbers each. */
  values: Float64Array;
  /** The finished lines of the rows that could not be packed, by row index. */
  lines: Record<number, string> | undefined;
}

/** Packs rows into batches of up to `capacityRows`; `take` hands a batch over and starts anew. */
export class RowPacker {
  /** The keys of a row in schema order. */
  private readonly keys: readonly string[];
  private readonly width: number;
  private readonly serializeRow: (row: object) => string;
  private readonly buffers: RecycledBuffers;
  private batch: PackedRows;
  /** The entity ids of the batch, joined when it is taken: cheaper than a rope of thousands. */
  private readonly entityIds: string[] = [];

  private readonly readNumbers: FeatureRowNumbers;

  /**
   * `readNumbers`: the job's reader of a row's numbers by name (`JobDefinition.featureRowNumbers`);
   * without it, the keys are walked, which boxes every double it reads.
   */
  constructor(
    featureNames: readonly string[],
    private readonly capacityRows: number,
    readNumbers?: FeatureRowNumbers,
  ) {
    this.readNumbers =
      readNumbers ??
      ((row, into, at) => this.packNumbers(row as Record<string, unknown>, into, at));
    this.keys = ['entity_id', 'window_start', 'window_end', ...featureNames];
    this.width = FIRST_FEATURE_INDEX + featureNames.length;
    this.serializeRow = createRowSerializer(featureNames);
    this.buffers = new RecycledBuffers(capacityRows * this.width);
    this.batch = this.emptyBatch();
  }

  /** Takes back the buffer of a batch the writing side is done with. */
  recycle(buffer: ArrayBuffer): void {
    this.buffers.give(buffer);
  }

  get count(): number {
    return this.batch.count;
  }

  get isFull(): boolean {
    return this.batch.count === this.capacityRows;
  }

  /**
   * Adds a row; call `take` first when `isFull`. With `keepForSlot`, the writer keeps the bytes of
   * its features for that entity slot, for the rows `addSameAsKept` adds after it.
   */
  add(row: object, keepForSlot = NOT_KEPT): void {
    const batch = this.batch;
    const index = batch.count++;
    const values = row as Record<string, unknown>;
    const entityId = values.entity_id;
    const offset = index * this.width;
    batch.values[offset + 1] = keepForSlot;
    if (
      typeof entityId === 'string' &&
      this.readNumbers(row, batch.values, offset + WINDOW_START_INDEX)
    ) {
      batch.values[offset] = entityId.length;
      this.entityIds.push(entityId);
      return;
    }
    // A finished line: the writer forgets what it kept for the slot.
    batch.values[offset] = 0;
    batch.lines ??= {};
    batch.lines[index] = this.serializeRow(row);
  }

  /**
   * Adds the row of a window whose features are those of the last row added for `slot`
   * (the engine's `sameEvents`): only its entity and window are packed.
   */
  addSameAsKept(entityId: string, windowStart: number, windowEnd: number, slot: number): void {
    const batch = this.batch;
    const offset = batch.count++ * this.width;
    const values = batch.values;
    values[offset] = entityId.length;
    values[offset + 1] = sameAsKept(slot);
    values[offset + WINDOW_START_INDEX] = windowStart;
    values[offset + WINDOW_START_INDEX + 1] = windowEnd;
    this.entityIds.push(entityId);
  }

  take(): PackedRows {
    const batch = this.batch;
    batch.entityIds = this.entityIds.join('');
    this.entityIds.length = 0;
    this.batch = this.emptyBatch();
    return batch;
  }

  /**
   * The row's numbers in schema order, or false if a key is out of order or a value is not a
   * number. for-in walks the row's keys from V8's enum cache (the feature functions build every
   * row with one literal), so each value is read by its position, not looked up by its name:
   * looking up 13 names at one place had V8 fall back to its slowest lookup.
   */
  private packNumbers(row: Record<string, unknown>, values: Float64Array, offset: number): boolean {
    const keys = this.keys;
    let index = 0;
    for (const key in row) {
      if (key !== keys[index]) return false;
      // Index 0 is entity_id, packed apart; the numbers start at window_start, at `offset`.
      if (index > 0) {
        const value = row[key];
        if (typeof value !== 'number') return false;
        values[offset + index - 1] = value;
      }
      index++;
    }
    return index === keys.length;
  }

  private emptyBatch(): PackedRows {
    return {
      count: 0,
      entityIds: '',
      values: this.buffers.take(),
      lines: undefined,
    };
  }
}
