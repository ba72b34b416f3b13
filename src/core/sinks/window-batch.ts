/**
 * Decides what one pipelined batch of feature rows sends, without touching Redis:
 * the key and label of each row; only the newest window per (entity, label) (the others in the
 * batch would be refused by the script anyway, so they are counted as stale without a round
 * trip); windows of one label grouped into calls of up to `windowsPerCall`; rows that cannot be
 * written reported with their reason.
 *
 * For a Redis Cluster a call also holds the keys of one hash slot only (a script call across
 * slots is refused with CROSSSLOT): each entity is one key, so each window stays one atomic
 * write, and the calls of a batch spread over the slots, each routed to the node owning it.
 */
import type { EntityType, WindowedFeatureRow } from '../jobs/job-definition.ts';
import { windowLabel } from '../utils/durations.ts';
import { clusterSlotOf } from './cluster-slot.ts';
import {
  type FieldOwner,
  featureKey,
  jobFieldPrefix,
  type LabelFields,
  labelFields,
} from './feature-fields.ts';
import type { WriteWindowCall } from './write-window-call.ts';

/** What the sink needs to know about a job's rows: a `JobDefinition` is one. */
export interface FeatureTarget extends FieldOwner {
  readonly entityType: EntityType;
  readonly featureNames: readonly string[];
}

export interface WriteFailure {
  readonly entity_id: string;
  readonly window_end: number;
  readonly reason: string;
  /** The row itself, so the caller can dead-letter it. */
  readonly row: WindowedFeatureRow;
}

export interface PlannedBatch {
  readonly calls: WriteWindowCall[];
  /** Rows superseded by a newer (or equal) window of the same entity and label in this batch. */
  readonly stale: number;
  readonly invalid: WriteFailure[];
}

/**
 * Everything about a target that does not change per row, resolved once: the key prefix and,
 * per window size, the label and the job's field names (`txn_count_5m`, `logins:login_count_10m`).
 */
export class BatchPlanner {
  private readonly keyPrefix: string;
  private readonly fieldPrefix: string;
  private readonly featureNames: readonly string[];
  private readonly ttlArg: string;
  private readonly windowsPerCall: number;
  private readonly cluster: boolean;
  private readonly layouts = new Map<number, LabelFields>();

  constructor(
    target: FeatureTarget,
    options: { ttlMs: number; windowsPerCall: number; cluster?: boolean },
  ) {
    this.keyPrefix = featureKey(target.entityType, '');
    this.fieldPrefix = jobFieldPrefix(target);
    this.featureNames = target.featureNames;
    this.ttlArg = String(options.ttlMs);
    this.windowsPerCall = options.windowsPerCall;
    this.cluster = options.cluster ?? false;
  }

  plan(rows: readonly WindowedFeatureRow[], start: number, end: number): PlannedBatch {
    const invalid: WriteFailure[] = [];
    // The newest row per (label, entity): window size -> entity id -> row index. Later rows win
    // ties, so the batch behaves like writing its rows in order.
    const newest = new Map<number, Map<string, number>>();
    let stale = 0;
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      const problem = this.checkRow(row);
      if (problem !== undefined) {
        invalid.push({
          entity_id: String(row.entity_id),
          window_end: row.window_end,
          reason: problem,
          row,
        });
        continue;
      }
      const size = row.window_end - row.window_start;
      let byEntity = newest.get(size);
      if (byEntity === undefined) {
        byEntity = new Map();
        newest.set(size, byEntity);
      }
      const previous = byEntity.get(row.entity_id);
      if (previous === undefined) {
        byEntity.set(row.entity_id, i);
      } else {
        stale++;
        if (row.window_end >= rows[previous]!.window_end) byEntity.set(row.entity_id, i);
      }
    }
    // One label per call (the field names travel once per call), windowsPerCall at most.
    const calls: WriteWindowCall[] = [];
    for (const [size, byEntity] of newest) {
      const layout = this.layoutFor(size);
      const group = Array.from(byEntity.values(), (i) => rows[i]!);
      if (!this.cluster) {
        this.addCalls(calls, layout, group, undefined);
        continue;
      }
      const bySlot = new Map<number, WindowedFeatureRow[]>();
      for (const row of group) {
        const slot = clusterSlotOf(this.keyPrefix + row.entity_id);
        const inSlot = bySlot.get(slot);
        if (inSlot === undefined) bySlot.set(slot, [row]);
        else inSlot.push(row);
      }
      for (const [slot, inSlot] of bySlot) this.addCalls(calls, layout, inSlot, slot);
    }
    return { calls, stale, invalid };
  }

  private addCalls(
    calls: WriteWindowCall[],
    layout: LabelFields,
    group: readonly WindowedFeatureRow[],
    slot: number | undefined,
  ): void {
    for (let from = 0; from < group.length; from += this.windowsPerCall) {
      calls.push({
        keyPrefix: this.keyPrefix,
        label: layout.label,
        startField: layout.startField,
        endField: layout.endField,
        ttlArg: this.ttlArg,
        featureNames: this.featureNames,
        fields: layout.fields,
        rows: group.slice(from, from + this.windowsPerCall),
        slot,
      });
    }
  }

  private layoutFor(sizeMs: number): LabelFields {
    let layout = this.layouts.get(sizeMs);
    if (layout === undefined) {
      layout = labelFields(this.fieldPrefix, windowLabel(sizeMs), this.featureNames);
      this.layouts.set(sizeMs, layout);
    }
    return layout;
  }

  /** Why a row cannot be written, or undefined. Cheap: it runs once per row. */
  private checkRow(row: WindowedFeatureRow): string | undefined {
    if (typeof row.entity_id !== 'string' || row.entity_id.length === 0) {
      return `entity_id must be a non-empty string: got ${JSON.stringify(row.entity_id)}`;
    }
    if (!Number.isSafeInteger(row.window_start) || !Number.isSafeInteger(row.window_end)) {
      return `window_start and window_end must be integer epoch ms: got ${row.window_start}, ${row.window_end}`;
    }
    if (row.window_end <= row.window_start) {
      return `window_end must be after window_start: got ${row.window_start} .. ${row.window_end}`;
    }
    for (const name of this.featureNames) {
      const value = row[name];
      if (typeof value !== 'number' && typeof value !== 'string') {
        return `feature ${name} is missing (the row does not match the job's feature list)`;
      }
    }
    return undefined;
  }
}
