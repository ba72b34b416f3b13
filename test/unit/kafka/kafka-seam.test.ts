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
// It holds kafkajs's own read_committed filter to the corrected one (src/kafka/kafkajs.ts), so
// it has to reach into kafkajs: the client's test, not a user of it.
const FILTER_TEST = path.join('test', 'unit', 'kafka', 'aborted-messages.test.ts');
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
    .filter((file) => !file.startsWith(SEAM) && file !== THIS_FILE && file !== FILTER_TEST)
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
