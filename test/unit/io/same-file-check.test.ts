// Two names of one file, however spelled or linked, are refused; distinct files are not.
import { link, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseSameFiles } from '../../../src/io/same-file-check.ts';

let dir: string;
const at = (name: string) => join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'same-file-'));
  await writeFile(at('a.ndjson'), '{}\n');
  await writeFile(at('b.ndjson'), '{}\n');
  await symlink(at('a.ndjson'), at('a-symlink.ndjson'));
  await link(at('a.ndjson'), at('a-hardlink.ndjson'));
  await symlink(at('new.rows'), at('dangling.rows'));
  await symlink(dir, at('folder-link'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('refuseSameFiles', () => {
  it.each([
    ['the same name', () => at('a.ndjson')],
    ['a relative spelling', () => relative(process.cwd(), at('a.ndjson'))],
    ['a symlink to it', () => at('a-symlink.ndjson')],
    ['a hard link to it', () => at('a-hardlink.ndjson')],
    ['a path through a linked folder', () => join(at('folder-link'), 'a.ndjson')],
  ])('refuses an output that is the input by %s', async (_name, output) => {
    await expect(
      refuseSameFiles([
        { flag: '--input', path: at('a.ndjson') },
        { flag: '--dead-letter', path: output() },
      ]),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: `--dead-letter is the same file as --input: ${output()} and ${at('a.ndjson')} (after resolving links) (each output must be a file of its own, apart from the input: give another path)`,
    });
  });

  it.each([
    ['by name', () => at('new.rows'), () => at('new.rows')],
    ['through a folder link', () => at('new.rows'), () => join(at('folder-link'), 'new.rows')],
    ['through a dangling symlink', () => at('new.rows'), () => at('dangling.rows')],
  ])('refuses two outputs that do not exist yet and are one file %s', async (_name, a, b) => {
    await expect(
      refuseSameFiles([
        { flag: '--input', path: at('a.ndjson') },
        { flag: '--output', path: a() },
        { flag: '--late-output', path: b() },
      ]),
    ).rejects.toThrow(`--late-output is the same file as --output: ${b()} and ${a()}`);
  });

  it('accepts distinct files, existing or not', async () => {
    await expect(
      refuseSameFiles([
        { flag: '--input', path: at('a.ndjson') },
        { flag: '--output', path: at('b.ndjson') },
        { flag: '--late-output', path: at('late.ndjson') },
        { flag: '--dead-letter', path: at('dead.ndjson') },
      ]),
    ).resolves.toBeUndefined();
  });
});
