// One Kafka seam: only src/kafka/ may import the Kafka client library, so the client can be
// swapped in one folder. Everything else (the runtimes, the stack, benchmarks, tests) goes
// through src/kafka/kafka-types.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCANNED = ['src', 'bench', 'test'];
// This file spells the imports it looks for, as examples.
const THIS_FILE = path.relative(ROOT, import.meta.filename);
// They hold kafkajs's own modules to the replacements src/kafka/kafkajs.ts puts in (the
// read_committed filter, the grouping by partition), so they have to reach into kafkajs: the
// client's tests, not users of it.
const REPLACEMENT_TESTS = ['aborted-messages.test.ts', 'partition-grouping.test.ts'].map((name) =>
  path.join('test', 'unit', 'kafka', name),
);
const SEAM = `src${path.sep}kafka${path.sep}`;
// `from 'kafkajs'`, `import 'kafkajs/...'`, `import('kafkajs')`, `require("kafkajs")`.
const KAFKAJS_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]kafkajs(?:\/[^'"]*)?['"]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(?:[cm]?[jt]s)$/.test(entry.name) ? [full] : [];
  });
}

function kafkajsImportsOutsideSeam(root: string): string[] {
  return SCANNED.flatMap((folder) => sourceFiles(path.join(root, folder)))
    .map((file) => path.relative(root, file))
    .filter(
      (file) => !file.startsWith(SEAM) && file !== THIS_FILE && !REPLACEMENT_TESTS.includes(file),
    )
    .filter((file) => KAFKAJS_IMPORT.test(readFileSync(path.join(root, file), 'utf8')));
}

describe('the Kafka seam', () => {
  it('recognizes every form of import', () => {
    for (const line of [
      "import kafkajs from 'kafkajs';",
      'import type { Admin } from "kafkajs";',
      "import { x } from 'kafkajs/types';",
      "const k = await import('kafkajs');",
      "const k = require('kafkajs');",
    ]) {
      expect(KAFKAJS_IMPORT.test(line), line).toBe(true);
    }
    expect(KAFKAJS_IMPORT.test('// kafkajs restarts a crashed consumer')).toBe(false);
  });

  it('finds kafkajs imported in src/kafka/ only', () => {
    expect(kafkajsImportsOutsideSeam(ROOT)).toEqual([]);
    // The scan sees the seam itself, so an empty answer above is not a scan of nothing.
    expect(
      KAFKAJS_IMPORT.test(readFileSync(path.join(ROOT, 'src/kafka/kafka-client.ts'), 'utf8')),
    ).toBe(true);
  });
});
