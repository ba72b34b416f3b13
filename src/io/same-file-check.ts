/**
 * Refuses a run whose outputs would write over its input or over each other: `replay --input
 * a.ndjson --output a.ndjson` used to empty the input and exit 0. Two names are the same file
 * when they are the same device and inode (a symlink, a hard link, `./a` and `a`); a name that
 * does not exist yet is compared by its resolved real path (its folder's links resolved).
 */
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FeatureflowError } from '../core/errors.ts';

/** A file named by a flag, e.g. `{ flag: '--output', path: 'rows.ndjson' }`. */
export interface FlagPath {
  flag: string;
  path: string;
}

/** Throws `invalid_argument` when any two of `paths` name the same file. */
export async function refuseSameFiles(paths: readonly FlagPath[]): Promise<void> {
  const identities = await Promise.all(paths.map((named) => identityOf(named.path)));
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      if (identities[i] !== identities[j]) continue;
      const [first, second] = [paths[j]!, paths[i]!];
      throw new FeatureflowError(
        'invalid_argument',
        `${second.flag} is the same file as ${first.flag}: ${second.path} and ${first.path} (after resolving links) (each output must be a file of its own, apart from the input: give another path)`,
        { context: { [first.flag]: first.path, [second.flag]: second.path } },
      );
    }
  }
}

async function identityOf(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `inode ${info.dev}:${info.ino}`;
  } catch {
    return `path ${await resolvedPathOf(path)}`;
  }
}

/** The real path a file that does not exist would be created at (links followed). */
async function resolvedPathOf(path: string, depth = 0): Promise<string> {
  const absolute = resolve(path);
  // A dangling symlink: writing it creates its target.
  const link = await lstat(absolute).catch(() => undefined);
  if (link?.isSymbolicLink() && depth < 40) {
    const target = await readlink(absolute);
    return resolvedPathOf(resolve(dirname(absolute), target), depth + 1);
  }
  const folder = await realpath(dirname(absolute)).catch(() => dirname(absolute));
  return join(folder, basename(absolute));
}
