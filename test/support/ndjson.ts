import { readFileSync } from 'node:fs';

/** The objects of an NDJSON file, one per non-empty line. */
export function readNdjson(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
