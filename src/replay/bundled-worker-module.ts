/**
 * A worker thread's TypeScript module and everything it imports, bundled by esbuild into one
 * CommonJS file in a cache directory, and used again for as long as none of its sources has
 * changed: the manifest beside the bundle holds the SHA-1 of every file that went into it, and
 * every start compares them with the files as they are now, so a bundle is never run for other
 * sources than its own.
 *
 * Why: replay's window thread loading its 25 modules through tsx's require hook was ready 0.3 to
 * 0.4 s into a replay on a busy 2-core machine (tsx resolving and transforming each module beside
 * the reading thread), and the reading thread ran out of room and waited for it. Measured with
 * the bundle: a 1,000-event replay 0.15-0.16 s instead of 0.22-0.24 s; the 1M-event,
 * 10,000-card file 3.57 s instead of 3.71 s and 7.25 s of CPU instead of 7.65 s (medians of 6
 * interleaved pairs, all 6 faster). A build (a cache miss) costs about 0.15 s, once.
 *
 *   window-thread.ts + imports --esbuild--> <cache>/window-thread-<hash>.cjs (+ manifest)
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureflowError } from '../core/errors.ts';

/** The cache of this checkout: node_modules/.cache, where build tools keep theirs. */
export const DEFAULT_WORKER_CACHE = fileURLToPath(
  new URL('../../node_modules/.cache/featureflow/workers/', import.meta.url),
);

/** A source changed this close before a build (or after it started) may differ from what it read. */
const RECENTLY_CHANGED_MS = 2000;

interface Manifest {
  /** The bundle's file name in the cache directory. */
  bundle: string;
  /** Absolute path -> SHA-1 (hex) of each file bundled. */
  sources: Record<string, string>;
}

/**
 * The path of the bundle of `moduleUrl` (a TypeScript module run as a worker thread): the cached
 * one if its sources are unchanged, else a new one. Throws a FeatureflowError when it cannot be
 * built or kept (the caller can still run the module through tsx).
 */
export function bundledWorkerModule(
  moduleUrl: URL,
  cacheDirectory: string = DEFAULT_WORKER_CACHE,
  /** Package names resolved to these files instead (esbuild's `alias`). */
  alias: Readonly<Record<string, string>> = {},
): string {
  const entry = fileURLToPath(moduleUrl);
  // One manifest per entry and alias: the name, plus a hash of both for entries of the same name.
  const aliasKey = Object.keys(alias).length === 0 ? '' : JSON.stringify(alias);
  const entryKey = `${basename(entry, extname(entry))}-${sha1(entry + aliasKey).slice(0, 8)}`;
  const manifestPath = join(cacheDirectory, `${entryKey}.json`);
  const cached = readManifest(manifestPath);
  if (cached !== undefined && sourcesUnchanged(cached.sources)) {
    const bundlePath = join(cacheDirectory, cached.bundle);
    if (existsSync(bundlePath)) return bundlePath;
  }
  return buildBundle(entry, entryKey, cacheDirectory, manifestPath, alias);
}

function buildBundle(
  entry: string,
  entryKey: string,
  cacheDirectory: string,
  manifestPath: string,
  alias: Readonly<Record<string, string>>,
): string {
  const buildStartedMs = Date.now();
  const workingDirectory = dirname(entry);
  let code: Uint8Array;
  let inputs: string[];
  try {
    // Loaded only to build: a replay whose bundle is cached never loads esbuild.
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [entry],
      absWorkingDir: workingDirectory,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
      alias: { ...alias },
    });
    code = result.outputFiles[0]!.contents;
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(workingDirectory, input));
  } catch (error) {
    throw new FeatureflowError(
      'internal',
      `cannot bundle the worker module ${entry}: ${buildErrorText(error)}`,
      {
        cause: error,
        context: { module: entry },
      },
    );
  }
  // The hashes must be of what esbuild read. A file changed since the build started may not be,
  // so the manifest is kept only when every source is older than the build by a margin that
  // covers coarse file clocks (its mtime is read after its contents, to catch a change in
  // between). Otherwise this run uses the bundle, as it would have used the modules read when it
  // started, and the next run bundles again.
  const sources: Record<string, string> = {};
  let settled = true;
  for (const input of inputs) {
    sources[input] = sha1(readFileSync(input));
    if (statSync(input).mtimeMs >= buildStartedMs - RECENTLY_CHANGED_MS) settled = false;
  }
  const bundle = `${entryKey}-${sha1(code).slice(0, 16)}.cjs`;
  try {
    mkdirSync(cacheDirectory, { recursive: true });
    // Each file written under a temporary name and renamed: a concurrent replay sees the old
    // files or the new ones, never half of one. The bundle is named by its content, so a bundle
    // file is always what its name says, whoever wrote it.
    writeAtomically(join(cacheDirectory, bundle), code);
    if (settled)
      writeAtomically(manifestPath, JSON.stringify({ bundle, sources } satisfies Manifest));
  } catch (error) {
    throw new FeatureflowError(
      'io_failed',
      `cannot keep the bundled worker module in ${cacheDirectory}: ${firstLine(error)}`,
      { cause: error, context: { directory: cacheDirectory } },
    );
  }
  return join(cacheDirectory, bundle);
}

function readManifest(path: string): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // No manifest yet: the bundle is built.
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    if (
      typeof parsed.bundle !== 'string' ||
      typeof parsed.sources !== 'object' ||
      parsed.sources === null
    ) {
      return undefined;
    }
    return parsed as Manifest;
  } catch {
    // A manifest cut short (a disk that filled up): built again and replaced.
    return undefined;
  }
}

function sourcesUnchanged(sources: Readonly<Record<string, string>>): boolean {
  for (const [path, hash] of Object.entries(sources)) {
    let contents: Buffer;
    try {
      contents = readFileSync(path);
    } catch {
      // A source gone (moved or deleted) means other sources: built again.
      return false;
    }
    if (sha1(contents) !== hash) return false;
  }
  return true;
}

function writeAtomically(path: string, contents: Uint8Array | string): void {
  // Unique per writer: test runners build from several threads of one process at once.
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function sha1(contents: string | Uint8Array): string {
  return createHash('sha1').update(contents).digest('hex');
}

/** esbuild's first error with its place ("file:line: text"), or the message. */
function buildErrorText(error: unknown): string {
  const first = (
    error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
  ).errors?.[0];
  if (first === undefined) return firstLine(error);
  return first.location
    ? `${first.location.file}:${first.location.line}: ${first.text}`
    : first.text;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
