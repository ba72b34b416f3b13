/**
 * Feature rows to NDJSON lines, byte for byte what JSON.stringify writes, faster: the keys are
 * known once, and a number equal to the previous one in the row reuses its text (a one-event
 * window has sum = avg = max = min). Formatting doubles is most of the cost of the output,
 * which is larger than the input when windows hold few events (measured: about 2 rows per
 * event with 10,000 cards).
 */
export function createRowSerializer(featureNames: readonly string[]): (row: object) => string {
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
