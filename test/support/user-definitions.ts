/**
 * A user's project in a temporary folder: its own definitions module and schemas, and
 * featureflow as a dependency (node_modules/featureflow, a link to this checkout), exactly as a
 * project that depends on featureflow looks. Nothing under src/ is touched.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
export const LOGINS_EXAMPLE = join(REPOSITORY, 'examples', 'logins');

/** A new project folder with `files` (relative path -> text) and featureflow installed. */
export function userProject(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'featureflow-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPOSITORY, join(dir, 'node_modules', 'featureflow'), 'dir');
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

/**
 * A copy of examples/logins in a project of its own, with each `[from, to]` replacement made in
 * its definition (a `from` that is not there fails: the test's anchor is gone).
 */
export function loginsCopy(edits: readonly (readonly [string, string])[] = []): string {
  const dir = userProject({});
  cpSync(join(LOGINS_EXAMPLE, 'login_event.avsc'), join(dir, 'login_event.avsc'));
  let source = readFileSync(join(LOGINS_EXAMPLE, 'index.ts'), 'utf8');
  for (const [from, to] of edits) {
    if (!source.includes(from)) throw new Error(`loginsCopy: '${from}' is not in examples/logins`);
    source = source.replace(from, to);
  }
  writeFileSync(join(dir, 'index.ts'), source);
  return dir;
}
