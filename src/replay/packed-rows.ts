/**
 * Feature rows packed for the writer thread (./row-writer-thread.ts): the numbers of each row
 * (the length of its entity id, window_start, window_end, then the features in schema order)
 * in one Float64Array that moves to the other thread without a copy, and the entity ids end to
 * end in one string, copied once, rather than thousands of small strings cloned one by one
 * (joined from a list when the batch is taken: a rope of thousands of pieces was slow to
 * flatten when posted). A Float64Array keeps every number bit for bit, so the writer formats
 * exactly the values the feature function returned, and writes exactly what
 * `createRowSerializer` writes. A row holding anything but numbers travels as its finished
 * line instead.
 */
import { createRowSerializer } from './row-serializer.ts';

export interface PackedRows {
  count: number;
  /** The entity ids of the rows, end to end. */
  entityIds: string;
  /** `count` rows of `3 + featureNames.length` numbers each. */
  values: Float64Array;
  /** The finished lines of the rows that could not be packed, by row index. */
  lines: Record<number, string> | undefined;
}

/** Packs rows into batches of up to `capacityRows`; `take` hands a batch over and starts anew. */
export class RowPacker {
  private readonly names: readonly string[];
  private readonly width: number;
  private readonly serializeRow: (row: object) => string;
  private batch: PackedRows;
  /** The entity ids of the batch, joined when it is taken: cheaper than a rope of thousands. */
  private readonly entityIds: string[] = [];

  constructor(
    featureNames: readonly string[],
    private readonly capacityRows: number,
  ) {
    this.names = [...featureNames];
    this.width = 3 + featureNames.length;
    this.serializeRow = createRowSerializer(featureNames);
    this.batch = this.emptyBatch();
  }

  get count(): number {
    return this.batch.count;
  }

  get isFull(): boolean {
    return this.batch.count === this.capacityRows;
  }

  /** Adds a row; call `take` first when `isFull`. */
  add(row: object): void {
    const batch = this.batch;
    const index = batch.count++;
    const values = row as Record<string, unknown>;
    const entityId = values.entity_id;
    const offset = index * this.width;
    if (typeof entityId === 'string' && this.packNumbers(values, offset + 1)) {
      batch.values[offset] = entityId.length;
      this.entityIds.push(entityId);
      return;
    }
    batch.values[offset] = 0;
    batch.lines ??= {};
    batch.lines[index] = this.serializeRow(row);
  }

  take(): PackedRows {
    const batch = this.batch;
    batch.entityIds = this.entityIds.join('');
    this.entityIds.length = 0;
    this.batch = this.emptyBatch();
    return batch;
  }

  private packNumbers(row: Record<string, unknown>, offset: number): boolean {
    const { values } = this.batch;
    const start = row.window_start;
    const end = row.window_end;
    if (typeof start !== 'number' || typeof end !== 'number') return false;
    values[offset] = start;
    values[offset + 1] = end;
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      const value = row[names[i]!];
      if (typeof value !== 'number') return false;
      values[offset + 2 + i] = value;
    }
    return true;
  }

  private emptyBatch(): PackedRows {
    return {
      count: 0,
      entityIds: '',
      values: new Float64Array(this.capacityRows * this.width),
      lines: undefined,
    };
  }
}

/**
 * The writer thread's side: the NDJSON line of every packed row, in order. One row object is
 * reused, with its keys in schema order, so that each line is JSON.stringify of it: the same
 * text `createRowSerializer` writes, built as one flat string.
 */
export function createPackedRowFormatter(
  featureNames: readonly string[],
): (batch: PackedRows, emit: (line: string) => void) => void {
  const names = [...featureNames];
  const width = 3 + names.length;
  const row: Record<string, string | number> = { entity_id: '', window_start: 0, window_end: 0 };
  for (const name of names) row[name] = 0;
  return (batch, emit) => {
    const { values, entityIds, lines } = batch;
    let idStart = 0;
    for (let index = 0; index < batch.count; index++) {
      const line = lines?.[index];
      if (line !== undefined) {
        emit(line);
        continue;
      }
      const offset = index * width;
      const idEnd = idStart + values[offset]!;
      row.entity_id = entityIds.slice(idStart, idEnd);
      idStart = idEnd;
      row.window_start = values[offset + 1]!;
      row.window_end = values[offset + 2]!;
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[offset + 3 + i]!;
      emit(JSON.stringify(row));
    }
  };
}
