/**
 * One call of the write-window script (write-window-script.ts) for up to `windowsPerCall`
 * windows of one label of one job: its arguments as strings (for people, tests and redis-benchmark) and the
 * same arguments encoded straight to RESP bytes (for the sink's hot path). A unit test holds
 * the two together.
 */
import type { WindowedFeatureRow } from '../jobs/job-definition.ts';
import type { RespWriter } from './resp-writer.ts';
import { WRITE_WINDOW_SCRIPT, WRITE_WINDOW_SCRIPT_SHA } from './write-window-script.ts';

export interface WriteWindowCall {
  /** `features:card:` or `features:user:`. */
  readonly keyPrefix: string;
  readonly label: string;
  /** `window_start_<label>` / `window_end_<label>`, with the job's prefix (feature-fields.ts). */
  readonly startField: string;
  readonly endField: string;
  readonly ttlArg: string;
  /** Row columns to store, and their hash fields (feature-fields.ts) in the same order. */
  readonly featureNames: readonly string[];
  readonly fields: readonly string[];
  /** One window per key; the script replies per key in this order. */
  readonly rows: readonly WindowedFeatureRow[];
  /** The Redis Cluster hash slot of every key of the call (cluster-slot.ts); undefined for a
   * single Redis. */
  readonly slot: number | undefined;
}

export type ScriptCommand = 'EVALSHA' | 'EVAL';

/** Everything after the command name: sha (or source), numkeys, keys, ARGV. */
export function writeWindowCallArgs(call: WriteWindowCall, command: ScriptCommand): string[] {
  const args = [
    command === 'EVALSHA' ? WRITE_WINDOW_SCRIPT_SHA : WRITE_WINDOW_SCRIPT,
    String(call.rows.length),
  ];
  for (const row of call.rows) args.push(call.keyPrefix + row.entity_id);
  args.push(
    call.startField,
    call.endField,
    call.ttlArg,
    String(call.fields.length),
    ...call.fields,
  );
  for (const row of call.rows) {
    args.push(String(row.window_start), String(row.window_end));
    for (const name of call.featureNames) args.push(String(row[name]));
  }
  return args;
}

/** The same command as `writeWindowCallArgs`, as RESP bytes appended to `writer`. */
export function encodeWriteWindowCall(
  call: WriteWindowCall,
  command: ScriptCommand,
  writer: RespWriter,
): void {
  const { rows, featureNames: names, fields } = call;
  const k = rows.length;
  const n = names.length;
  writer.arrayHeader(2 + 1 + k + 4 + n + k * (2 + n));
  writer.ascii(command);
  writer.text(command === 'EVALSHA' ? WRITE_WINDOW_SCRIPT_SHA : WRITE_WINDOW_SCRIPT);
  writer.ascii(String(k));
  for (let r = 0; r < k; r++) writer.text(call.keyPrefix + rows[r]!.entity_id);
  writer.text(call.startField);
  writer.text(call.endField);
  writer.ascii(call.ttlArg);
  writer.ascii(String(n));
  for (let f = 0; f < n; f++) writer.text(fields[f]!);
  for (let r = 0; r < k; r++) {
    const row = rows[r]!;
    writer.number(row.window_start);
    writer.number(row.window_end);
    for (let f = 0; f < n; f++) {
      const value = row[names[f]!];
      // Numbers are stored as String(n) (always ASCII); a string feature value may not be.
      if (typeof value === 'number') writer.number(value);
      else writer.text(String(value));
    }
  }
}
