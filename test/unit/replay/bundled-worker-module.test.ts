// bundledWorkerModule bundles a worker's TypeScript once, runs the bundle as a real worker
// thread, reuses it while its sources are unchanged, and bundles again the moment one of them
// changes: a cached bundle must never run other code than the sources say.
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { bundledWorkerModule } from '../../../src/replay/bundled-worker-module.ts';
import {
  startTypeScriptWorker,
  withoutModuleHooks,
} from '../../../src/replay/typescript-worker.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-worker-bundle-'));
const sources = join(dir, 'src');
const cache = join(dir, 'cache');
const entry = pathToFileURL(join(sources, 'entry.ts'));

/** Writes the two sources, dated a minute back unless `justNow` (as if saved a while ago). */
function writeSources(value: string, justNow = false): void {
  writeFileSync(
    join(sources, 'entry.ts'),
    [
      "import { parentPort, workerData } from 'node:worker_threads';",
      "import { answer } from './answer.ts';",
      'parentPort!.postMessage(answer(workerData as number));',
    ].join('\n'),
  );
  writeFileSync(
    join(sources, 'answer.ts'),
    `export const answer = (input: number): string => \`\${input}:${value}\`;\n`,
  );
  if (justNow) return;
  const aMinuteAgo = new Date(Date.now() - 60_000);
  for (const name of ['entry.ts', 'answer.ts'])
    utimesSync(join(sources, name), aMinuteAgo, aMinuteAgo);
}

async function runBundle(path: string, input: number): Promise<unknown> {
  const worker = new Worker(path, { workerData: input });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundledWorkerModule', () => {
  it('runs the bundle of the sources as they are, and bundles again when one changes', async () => {
    mkdirSync(sources, { recursive: true });
    writeSources('first');
    const first = bundledWorkerModule(entry, cache);
    expect(await runBundle(first, 1)).toBe('1:first');

    // Unchanged sources: the same file, not written again.
    const writtenAt = statSync(first).mtimeMs;
    expect(bundledWorkerModule(entry, cache)).toBe(first);
    expect(statSync(first).mtimeMs).toBe(writtenAt);

    // An imported module changes: a new bundle that runs the new code.
    writeSources('second');
    const second = bundledWorkerModule(entry, cache);
    expect(second).not.toBe(first);
    expect(await runBundle(second, 2)).toBe('2:second');

    // Back to the first sources: the first bundle's content again, whatever the manifest held.
    writeSources('first');
    expect(await runBundle(bundledWorkerModule(entry, cache), 3)).toBe('3:first');
  });

  it('does not keep a bundle for sources changed while (or just before) it was built', async () => {
    writeSources('fresh', true);
    const fresh = bundledWorkerModule(entry, cache);
    expect(await runBundle(fresh, 4)).toBe('4:fresh');
    // Same sources, now dated a minute back: not taken from the cache (nothing recorded them),
    // bundled again and written anew (a new file under the same content name)...
    const firstWrite = statSync(fresh).ino;
    writeSources('fresh');
    expect(bundledWorkerModule(entry, cache)).toBe(fresh);
    const secondWrite = statSync(fresh).ino;
    expect(secondWrite).not.toBe(firstWrite);
    // ...and recorded this time.
    expect(bundledWorkerModule(entry, cache)).toBe(fresh);
    expect(statSync(fresh).ino).toBe(secondWrite);
  });

  it('says which file does not compile', () => {
    writeFileSync(join(sources, 'answer.ts'), 'export const answer = (input: number => input;\n');
    expect(() => bundledWorkerModule(entry, cache)).toThrow(FeatureflowError);
    expect(() => bundledWorkerModule(entry, cache)).toThrow(/answer\.ts:1: /);
  });
});

describe('startTypeScriptWorker', () => {
  it('runs the module through tsx, with a warning, when no bundle can be kept', async () => {
    writeSources('through tsx');
    // A file where the cache directory should be: the bundle cannot be written.
    const notADirectory = join(dir, 'not-a-directory');
    writeFileSync(notADirectory, '');
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const worker = startTypeScriptWorker(entry, 6, [], join(notADirectory, 'cache'));
      const answer = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(answer).toBe('6:through tsx');
      // The warning is emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.message)).toEqual([
        expect.stringMatching(
          /^cannot keep the bundled worker module in .*not-a-directory.*through tsx instead/,
        ),
      ]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('withoutModuleHooks', () => {
  it('drops the options that load modules or hooks, with their values, and keeps the rest', () => {
    expect(
      withoutModuleHooks([
        '--import',
        'tsx',
        '--max-old-space-size=4096',
        '--import=tsx/esm',
        '-r',
        'dotenv/config',
        '--loader',
        'ts-node/esm',
        '--enable-source-maps',
      ]),
    ).toEqual(['--max-old-space-size=4096', '--enable-source-maps']);
  });
});
