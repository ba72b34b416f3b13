// The CLI end to end on generated files: `generate` then `replay`, checked against the naive
// reference engine and the feature functions run in-test on the valid events of the same file.

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN } from '../support/job-events.ts';
import { runNaiveEngine } from '../support/naive-engine.ts';
import { readNdjson } from '../support/ndjson.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-cli-'));
const path = (name: string) => join(dir, name);

/** What replay must write, computed independently of the engine under test. */
function expectedRows(job: 'transactions' | 'clickstream', inputFile: string) {
  const definition = BUILT_IN.get(job);
  const valid: object[] = [];
  for (const line of readFileSync(inputFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const verdict = definition.validate(value);
    if (verdict.ok) valid.push(verdict.event);
  }
  const { fired, late } = runNaiveEngine(valid, {
    windowSizeMs: 300_000,
    slideMs: 60_000,
    maxOutOfOrdernessMs: 5_000,
    entityOf: definition.entityOf,
    timeOf: definition.timeOf,
  });
  return { rows: fired.map((w) => definition.computeFeatures(w.events, w)), late };
}

describe.each(['transactions', 'clickstream'] as const)(
  'featureflow generate + replay (%s)',
  (job) => {
    const input = path(`${job}.ndjson`);
    let generateStderr = '';

    beforeAll(async () => {
      const generated = await runCli([
        'generate',
        '--job',
        job,
        '--events',
        '6000',
        '--entities',
        '40',
        '--seed',
        '7',
        '--late-fraction',
        '0.03',
        '--invalid-fraction',
        '0.05',
        '--output',
        input,
      ]);
      expect(generated.code, generated.stderr).toBe(0);
      generateStderr = generated.stderr;
    });

    it('writes every fired window, the late events and the dead letters', async () => {
      const result = await runCli([
        'replay',
        '--job',
        job,
        '--input',
        input,
        '--output',
        path(`${job}.rows`),
        '--late-output',
        path(`${job}.late`),
        '--dead-letter',
        path(`${job}.dead`),
      ]);
      expect(result.code, result.stderr).toBe(0);

      const expected = expectedRows(job, input);
      const rows = readNdjson(path(`${job}.rows`));
      expect(rows.length).toBeGreaterThan(100);
      expect(rows).toEqual(expected.rows);

      const late = readNdjson(path(`${job}.late`));
      expect(late).toEqual(expected.late.map((e) => ({ ...e })));
      const generatedLate = Number(/\(([\d,]+) late/.exec(generateStderr)![1]!.replace(/,/g, ''));
      expect(late.length).toBe(generatedLate);

      const dead = readNdjson(path(`${job}.dead`));
      const generatedInvalid = Number(
        /([\d,]+) invalid/.exec(generateStderr)![1]!.replace(/,/g, ''),
      );
      expect(dead.length).toBe(generatedInvalid);
      for (const letter of dead) {
        expect(letter.line).toEqual(expect.any(Number));
        expect(letter.reason).toEqual(expect.any(String));
        expect(letter.raw).toEqual(expect.any(String));
      }
      // Every kind of corruption the generator makes shows up with its own reason.
      expect(new Set(dead.map((d) => d.code))).toEqual(
        new Set([
          'missing_field',
          'empty_string',
          'wrong_type',
          'bad_timestamp',
          'bad_enum',
          'not_json',
          // The transactions job's own rules: a 3-letter currency, |amount| <= 1e15.
          ...(job === 'transactions' ? ['bad_currency', 'out_of_range'] : []),
        ]),
      );
      expect(result.stderr).toMatch(
        new RegExp(
          `6,000 events read, [\\d,]+ valid, ${generatedLate} late, ${generatedInvalid} invalid, ${rows.length.toLocaleString('en-US')} windows`,
        ),
      );
    });

    it('gives the same rows from an Avro object container file of the same events', async () => {
      const definition = BUILT_IN.get(job);
      const type = avro.Type.forSchema(definition.eventSchema as avro.Schema);
      const avroInput = path(`${job}.avro`);
      const file = createWriteStream(avroInput);
      const encoder = new avro.streams.BlockEncoder(type);
      encoder.pipe(file);
      const ndjsonValid = path(`${job}.valid.ndjson`);
      const validLines: string[] = [];
      for (const line of readFileSync(input, 'utf8').split('\n')) {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue;
        }
        if (definition.validate(value).ok) {
          encoder.write(value);
          validLines.push(JSON.stringify(value));
        }
      }
      encoder.end();
      await once(file, 'close');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(ndjsonValid, `${validLines.join('\n')}\n`);

      const fromAvro = await runCli([
        'replay',
        '--job',
        job,
        '--input',
        avroInput,
        '--output',
        path(`${job}.avro.rows`),
      ]);
      const fromJson = await runCli([
        'replay',
        '--job',
        job,
        '--input',
        ndjsonValid,
        '--output',
        path(`${job}.json.rows`),
      ]);
      expect(fromAvro.code, fromAvro.stderr).toBe(0);
      expect(fromJson.code, fromJson.stderr).toBe(0);
      expect(readNdjson(path(`${job}.avro.rows`))).toEqual(readNdjson(path(`${job}.json.rows`)));
    });
  },
);

describe('featureflow replay errors', () => {
  it.each([
    [['--job', 'nope'], 2, "--job must be one of transactions, clickstream: got 'nope'"],
    [['--job', 'transactions', '--window', '300'], 2, "--window is not a duration: '300'"],
    [['--job', 'transactions', '--slide', '0s'], 2, 'window configuration is unusable'],
    [
      ['--job', 'transactions', '--window', '7m', '--slide', '2m'],
      2,
      'window configuration is unusable: window 420000 ms, slide 120000 ms (the window must be a positive whole multiple of the slide, as Flink HOP windows require (e.g. --window 6m --slide 2m))',
    ],
    [
      ['--job', 'transactions', '--window', '1m', '--slide', '5m'],
      2,
      'window configuration is unusable: window 60000 ms, slide 300000 ms (the window must be a positive whole multiple of the slide',
    ],
  ])('refuses %j', async (flags, code, message) => {
    const result = await runCli([
      'replay',
      '--input',
      path('transactions.ndjson'),
      '--output',
      path('x'),
      ...flags,
    ]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('explains an unreadable file', async () => {
    const result = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      path('missing.ndjson'),
      '--output',
      path('x'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot read --input ${path('missing.ndjson')}`);
  });

  it('reproduces the worked example of docs/windows.md from a file', async () => {
    const events = [
      { card_id: 'c1', timestamp: 10_000, amount: 10 },
      { card_id: 'c1', timestamp: 120_000, amount: 30 },
      { card_id: 'c2', timestamp: 600_000, amount: 5 },
    ].map((e, i) => ({
      transaction_id: `t${i}`,
      user_id: 'u',
      merchant_id: `m${i}`,
      merchant_category: 'grocery',
      currency: 'EUR',
      country: 'DE',
      channel: 'pos',
      ...e,
    }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path('worked.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const result = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      path('worked.ndjson'),
      '--output',
      path('worked.rows'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const rows = readNdjson(path('worked.rows'));
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => [r.entity_id, r.window_end, r.txn_count, r.amount_sum])).toEqual([
      ['c1', 60_000, 1, 10],
      ['c1', 120_000, 1, 10],
      ['c1', 180_000, 2, 40],
      ['c1', 240_000, 2, 40],
      ['c1', 300_000, 2, 40],
      ['c1', 360_000, 1, 30],
      ['c1', 420_000, 1, 30],
      ['c2', 660_000, 1, 5],
      ['c2', 720_000, 1, 5],
      ['c2', 780_000, 1, 5],
      ['c2', 840_000, 1, 5],
      ['c2', 900_000, 1, 5],
    ]);
    expect(rows[2]).toMatchObject({ amount_avg: 20, amount_std: 10, velocity_score: 0.2 });
  });
});
