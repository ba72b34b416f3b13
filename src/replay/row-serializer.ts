/**
 * Feature rows to NDJSON lines: exactly JSON.stringify of the row with its keys in schema
 * order (entity_id, window_start, window_end, then the feature names).
 *
 * The feature functions build each row with one object literal in schema order, so the common
 * case is JSON.stringify(row) itself, after a check that the keys are in that order (about 50
 * ns a row). JSON.stringify writes one flat string; building the line from pieces makes a
 * rope of some 25 parts, and flattening those when the output is joined cost more than the
 * pieces saved (measured: 2.8 against 1.8 us a row with the join). A row whose keys are in
 * another order is written field by field in schema order.
 */
export function createRowSerializer(featureNames: readonly string[]): (row: object) => string {
  const keys = ['entity_id', 'window_start', 'window_end', ...featureNames];
  const writeFieldByField = createFieldByFieldSerializer(featureNames);
  return (row) => (hasKeysInOrder(row, keys) ? JSON.stringify(row) : writeFieldByField(row));
}

function hasKeysInOrder(row: object, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in row) {
    if (key !== keys[index]) return false;
    index++;
  }
  return index === keys.length;
}

/**
 * The known-key form: the keys come from the schema, and a number equal to the previous one in
 * the row reuses its text (a one-event window has sum = avg = max = min).
 */
function createFieldByFieldSerializer(featureNames: readonly string[]): (row: object) => string {
  const prefixes = featureNames.map((name) => `,${JSON.stringify(name)}:`);
  const names = [...featureNames];
  return (row) => {
    const values = row as Record<string, unknown>;
    let text = `{"entity_id":${JSON.stringify(values.entity_id)},"window_start":${numberText(values.window_start)},"window_end":${numberText(values.window_end)}`;
    let previous: unknown;
    let previousText = '';
    for (let i = 0; i < names.length; i++) {
      const value = values[names[i]!];
      if (value !== previous || typeof value !== 'number') {
        previous = value;
        previousText = typeof value === 'number' ? numberText(value) : JSON.stringify(value);
      }
      text += prefixes[i]! + previousText;
    }
    return `${text}}`;
  };
}

/** JSON's form of a number: shortest round-trip text, null for NaN and infinities. */
function numberText(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? String(value)
    : JSON.stringify(value);
}
