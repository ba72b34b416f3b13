/**
 * Code generated once per job from its field and feature names, for the per-event and per-row
 * paths of replay: an object literal with fixed keys gives V8 one hidden class and monomorphic
 * loads and stores, where a loop over names (`row[name]`) made every access megamorphic and boxed
 * every double it read (about 320 MB of garbage on a 1M-event file). Names are Avro names
 * ([A-Za-z_][A-Za-z0-9_]*, checked when the job is loaded), written as JSON string literals.
 */
import type { WindowEventField } from './event-rules-from-schema.ts';

/** Writes the row's numbers into `into` from `at`; false (nothing reliable written) if one is not a number. */
export type FeatureRowNumbers = (row: object, into: Float64Array, at: number) => boolean;

export interface WindowEventAccessors {
  /**
   * The window event with `values` as its fields, in the order of the fields: one object
   * literal, so every window event has one shape (filling an object field by field made V8
   * take its slowest path for every store). Booleans travel as 1 and 0.
   */
  readonly windowEventFrom: (values: readonly (number | string)[]) => object;
  /** `windowEventFrom` into an event it made before (replay reuses released window events). */
  readonly refillWindowEvent: (event: object, values: readonly (number | string)[]) => void;
  /** The reverse: the fields of `event` into `into`, in order, read by name. */
  readonly windowEventValues: (event: object, into: (number | string)[]) => void;
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function key(name: string): string {
  if (!AVRO_NAME.test(name)) throw new TypeError(`'${name}' is not an Avro field name`);
  return JSON.stringify(name);
}

export function compileWindowEventAccessors(
  fields: readonly WindowEventField[],
): WindowEventAccessors {
  const read = (field: WindowEventField, i: number) =>
    field.kind === 'boolean' ? `v[${i}] !== 0` : `v[${i}]`;
  const literal = fields.map((f, i) => `${key(f.name)}: ${read(f, i)}`).join(', ');
  const refill = fields.map((f, i) => `e[${key(f.name)}] = ${read(f, i)};`).join(' ');
  const values = fields
    .map((f, i) =>
      f.kind === 'boolean'
        ? `into[${i}] = e[${key(f.name)}] ? 1 : 0;`
        : `into[${i}] = e[${key(f.name)}];`,
    )
    .join(' ');
  return Object.freeze({
    windowEventFrom: new Function(
      'v',
      `return { ${literal} };`,
    ) as WindowEventAccessors['windowEventFrom'],
    refillWindowEvent: new Function('e', 'v', refill) as WindowEventAccessors['refillWindowEvent'],
    windowEventValues: new Function(
      'e',
      'into',
      values,
    ) as WindowEventAccessors['windowEventValues'],
  });
}

/** A row with the window bounds and every feature, in order, for a feature function to fill. */
export function compileNewFeatureRow(
  featureNames: readonly string[],
): () => Record<string, string | number> {
  const literal = ['entity_id: ""', 'window_start: 0', 'window_end: 0']
    .concat(featureNames.map((name) => `${key(name)}: 0`))
    .join(', ');
  return new Function(`return { ${literal} };`) as () => Record<string, string | number>;
}

/** window_start, window_end, then the features, read by name (see the top of this file). */
export function compileFeatureRowNumbers(featureNames: readonly string[]): FeatureRowNumbers {
  const names = ['window_start', 'window_end', ...featureNames];
  const locals = names.map((_, i) => `n${i}`);
  const body = [
    `const { ${names.map((name, i) => `${key(name)}: ${locals[i]}`).join(', ')} } = row;`,
    `if (${locals.map((n) => `typeof ${n} !== 'number'`).join(' || ')}) return false;`,
    ...locals.map((n, i) => `into[at + ${i}] = ${n};`),
    'return true;',
  ].join('\n');
  return new Function('row', 'into', 'at', body) as FeatureRowNumbers;
}
