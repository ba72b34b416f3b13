// The repository stands alone: no tracked file points outside it (a parent-relative path that
// leaves the repo, an absolute path of the machine it was built on, a spec kept elsewhere), and
// every relative Markdown link and every `docs/...` reference names a file the repo holds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const TRACKED: readonly string[] = execFileSync('git', ['ls-files', '-z'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\0')
  .filter((path) => path !== '');
const TRACKED_SET = new Set(TRACKED);

/** Text files only: a NUL byte in the first 8 KiB marks a binary one. */
const TEXTS: ReadonlyArray<{ path: string; text: string }> = TRACKED.flatMap((path) => {
  let buffer: Buffer;
  try {
    buffer = readFileSync(join(ROOT, path));
  } catch {
    return []; // deleted in the work tree, not yet in the index
  }
  if (buffer.subarray(0, 8192).includes(0)) return [];
  return [{ path, text: buffer.toString('utf8') }];
});

/** Built from parts, so that this file does not match the rules it enforces. */
const OUTSIDE_REFERENCES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  {
    what: 'a path of the machine the repo was built on',
    pattern: new RegExp(['', 'work', ''].join('\\/')),
  },
  { what: 'a spec kept outside the repo', pattern: new RegExp(`\\b${'shared'}\\/[A-Z]`) },
  {
    what: 'a spec kept outside the repo',
    pattern: new RegExp(`\\b(${'DESIGN'}|${'STYLE'})\\.md\\b`),
  },
  { what: 'a spec kept outside the repo', pattern: new RegExp(`\\b${'NOTES'}-[\\w-]+\\.md\\b`) },
  {
    what: 'a section of a spec kept outside the repo',
    pattern: new RegExp(`${'DESIGN'} (sections?|§)`, 'i'),
  },
];

interface Finding {
  file: string;
  line: number;
  reference: string;
  why: string;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Whether `path` (relative to the repo root) is a tracked file or a folder holding one. */
function inRepo(path: string): boolean {
  const clean = normalize(path).replace(/\/$/, '');
  if (clean === '' || clean === '.') return true;
  if (TRACKED_SET.has(clean)) return true;
  const folder = `${clean}/`;
  return TRACKED.some((file) => file.startsWith(folder));
}

/** `../` paths that climb above the repo root from the file they are written in. */
function escapingParentPaths(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(/(?<![\w.])(?:\.\.\/)+[\w./-]*/g)) {
    const target = resolve(ROOT, dirname(file), match[0]);
    if (relative(ROOT, target).startsWith('..')) {
      findings.push({
        file,
        line: lineOf(text, match.index),
        reference: match[0],
        why: 'climbs out of the repository',
      });
    }
  }
  return findings;
}

function outsideReferences(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const { what, pattern } of OUTSIDE_REFERENCES) {
    for (const match of text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))) {
      findings.push({ file, line: lineOf(text, match.index), reference: match[0], why: what });
    }
  }
  return findings;
}

/** Relative links of a Markdown file (`[text](target)`), resolved from the file's folder. */
function brokenMarkdownLinks(file: string, text: string): Finding[] {
  if (!file.endsWith('.md')) return [];
  const findings: Finding[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    const path = target.split('#')[0]!;
    const fromRoot = relative(ROOT, resolve(ROOT, dirname(file), path));
    if (!inRepo(fromRoot)) {
      findings.push({
        file,
        line: lineOf(text, match.index),
        reference: target,
        why: 'links to no file of the repository',
      });
    }
  }
  return findings;
}

/** `docs/<page>` mentioned anywhere (comments, schema docs, SQL): relative to the repo root. */
function brokenDocsReferences(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(/(?<![\w./:-])docs\/[\w./-]*\w/g)) {
    if (!inRepo(match[0])) {
      findings.push({
        file,
        line: lineOf(text, match.index),
        reference: match[0],
        why: 'names a page docs/ does not hold',
      });
    }
  }
  return findings;
}

const show = (findings: Finding[]) =>
  findings.map((f) => `${f.file}:${f.line}: ${f.reference} (${f.why})`);

describe('the repository stands alone', () => {
  it('reads the tracked files', () => {
    expect(TEXTS.length).toBeGreaterThan(100);
    expect(TEXTS.some((t) => t.path === 'docs/README.md')).toBe(true);
  });

  it('refers to nothing outside itself', () => {
    const findings = TEXTS.flatMap(({ path, text }) => [
      ...escapingParentPaths(path, text),
      ...outsideReferences(path, text),
    ]);
    expect(show(findings)).toEqual([]);
  });

  it('has every relative Markdown link resolve to a file of the repository', () => {
    const findings = TEXTS.flatMap(({ path, text }) => brokenMarkdownLinks(path, text));
    expect(show(findings)).toEqual([]);
  });

  it('has every docs/ reference name a page that exists', () => {
    const findings = TEXTS.flatMap(({ path, text }) => brokenDocsReferences(path, text));
    expect(show(findings)).toEqual([]);
  });

  it('catches each kind of reference it forbids', () => {
    const up = '../'.repeat(3);
    expect(show(escapingParentPaths('src/x.ts', `import '${up}elsewhere/spec.md';`))).toEqual([
      `src/x.ts:1: ${up}elsewhere/spec.md (climbs out of the repository)`,
    ]);
    expect(escapingParentPaths('src/core/x.ts', `import '../../schemas/a.avsc';`)).toEqual([]);
    const outside = `see ${['', 'work', 'x'].join('/')}\n${'DESIGN'} section 5 and ${'STYLE'}.md`;
    expect(outsideReferences('a.ts', outside).map((f) => f.line)).toEqual([1, 2, 2]);
    const page = `${'docs'}/a.md`;
    expect(show(brokenMarkdownLinks(page, '[x](nowhere.md) [y](../README.md#top)'))).toEqual([
      `${page}:1: nowhere.md (links to no file of the repository)`,
    ]);
    expect(brokenMarkdownLinks(page, '[web](https://flink.apache.org) [here](#top)')).toEqual([]);
    const missing = `${'docs'}/nowhere.md`;
    expect(
      show(brokenDocsReferences('a.ts', `// see ${'docs'}/windows.md and ${missing}.`)),
    ).toEqual([`a.ts:1: ${missing} (names a page docs/ does not hold)`]);
    expect(brokenDocsReferences('a.ts', `https://nightlies.apache.org/flink/${page}`)).toEqual([]);
  });
});
