/** Generated event files for integration tests: `featureflow generate` with test-sized flags. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { runCli } from './run-cli.ts';

export interface GenerateOptions {
  job?: 'transactions' | 'clickstream';
  events: number;
  seed: number;
  entities?: number;
  meanGap?: string;
  maxDisorder?: string;
  /** More `generate` flags (late or invalid fractions...). */
  extra?: readonly string[];
}

/** Writes the events to `file` (bounded disorder, no late events unless asked) and returns it. */
export async function generateEvents(file: string, options: GenerateOptions): Promise<string> {
  const result = await runCli([
    'generate',
    '--job',
    options.job ?? 'transactions',
    '--events',
    String(options.events),
    '--entities',
    String(options.entities ?? 30),
    '--seed',
    String(options.seed),
    '--mean-gap',
    options.meanGap ?? '200ms',
    '--max-disorder',
    options.maxDisorder ?? '3s',
    '--output',
    file,
    ...(options.extra ?? []),
  ]);
  expect(result.code, result.stderr).toBe(0);
  return file;
}

/** The largest event time in an NDJSON events file (where the stream's windows end). */
export function lastEventTime(file: string): number {
  let last = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line) last = Math.max(last, (JSON.parse(line) as { timestamp: number }).timestamp);
  }
  return last;
}

/** `parts` consecutive slices of about equal size, in order. */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}
