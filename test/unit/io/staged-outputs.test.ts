// Outputs reach their names only on commit; a discarded run leaves the old files untouched.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StagedOutputs } from '../../../src/io/staged-outputs.ts';

let dir: string;
const at = (name: string) => join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'staged-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeThrough(path: string, text: string): Promise<void> {
  const stream = createWriteStream(path);
  stream.end(text);
  await once(stream, 'close');
}

describe('StagedOutputs', () => {
  it('leaves an existing file as it was when discarded, and removes its temporary file', async () => {
    await writeFile(at('keep.rows'), 'old\n');
    const staged = new StagedOutputs();
    const temporary = await staged.stage('--output', at('keep.rows'));
    expect(temporary).not.toBe(at('keep.rows'));
    await writeThrough(temporary, 'half\n');
    expect(await readFile(at('keep.rows'), 'utf8')).toBe('old\n');
    await staged.discard();
    expect(await readFile(at('keep.rows'), 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['keep.rows']);
  });

  it('replaces the file on commit, keeping its permissions', async () => {
    await writeFile(at('replaced.rows'), 'old\n');
    await chmod(at('replaced.rows'), 0o640);
    const staged = new StagedOutputs();
    await writeThrough(await staged.stage('--output', at('replaced.rows')), 'new\n');
    await writeThrough(await staged.stage('--late-output', at('fresh.late')), 'late\n');
    await staged.commit();
    expect(await readFile(at('replaced.rows'), 'utf8')).toBe('new\n');
    expect(await readFile(at('fresh.late'), 'utf8')).toBe('late\n');
    expect((await stat(at('replaced.rows'))).mode & 0o777).toBe(0o640);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('names the flag and the missing folder', async () => {
    await expect(
      new StagedOutputs().stage('--dead-letter', at('nope/dead.ndjson')),
    ).rejects.toThrow(
      `cannot write --dead-letter ${at('nope/dead.ndjson')}: folder ${at('nope')} does not exist (create it first)`,
    );
  });
});
