// Lines that are not text, not blank or too long are dead-lettered with their own reason and
// counted; reading goes on after them.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { txn } from '../support/events.ts';
import { readNdjson } from '../support/ndjson.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-bad-lines-'));
const at = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid transaction line whose card id is `c` followed by `tail` (any bytes). */
function lineWithCardTail(tail: Buffer, timestamp: number): Buffer {
  const [before, after] = JSON.stringify(txn({ card_id: 'c@', user_id: 'u', timestamp })).split(
    'c@',
  );
  return Buffer.concat([Buffer.from(`${before}c`), tail, Buffer.from(`${after}\n`)]);
}

describe('replay of lines that are not UTF-8, blank in appearance only, or too long', () => {
  it('dead-letters each with its reason and keeps the rest', async () => {
    const badTails = [[0xff], [0xfe], [0xc3]].map((bytes) => Buffer.from(bytes));
    const badLines = badTails.map((tail, i) => lineWithCardTail(tail, 2_000 + i));
    const whitespaceOnly = ['\u00a0', '\u3000', '\u2028', '\ufeff', '\v', '\f'];
    const longLine = Buffer.alloc(2 << 20, 0x20);
    longLine.write('{"card_id":"huge"', 0);
    const parts = [
      lineWithCardTail(Buffer.from('1'), 1_000),
      ...badLines,
      ...whitespaceOnly.map((text) => Buffer.from(`${text}\n`)),
      Buffer.from(' \t\r\n\n'), // blank: ASCII space, tab, CR only
      longLine,
      Buffer.from('\n'),
      lineWithCardTail(Buffer.from('2'), 9_000),
    ];
    writeFileSync(at('bad.ndjson'), Buffer.concat(parts));

    const result = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      at('bad.ndjson'),
      '--output',
      at('bad.rows'),
      '--dead-letter',
      at('bad.dead'),
      '--max-line-bytes',
      String(1 << 20),
    ]);
    expect(result.code, result.stderr).toBe(0);
    // 2 valid + 3 not UTF-8 + 6 whitespace-only + 1 too long; the blank lines are not records.
    expect(result.stderr).toContain('12 events read, 2 valid, 0 late, 10 invalid');

    const rows = readNdjson(at('bad.rows'));
    expect(new Set(rows.map((row) => row.entity_id))).toEqual(new Set(['c1', 'c2']));

    const dead = readNdjson(at('bad.dead'));
    expect(dead.map((letter) => [letter.line, letter.code])).toEqual([
      [2, 'invalid_utf8'],
      [3, 'invalid_utf8'],
      [4, 'invalid_utf8'],
      ...whitespaceOnly.map((_, i) => [5 + i, 'not_json']),
      [13, 'line_too_long'],
    ]);
    // The bytes of a line that is not text come back exactly, and no U+FFFD stands in for them.
    for (const [i, line] of badLines.entries()) {
      expect(Buffer.from(dead[i]!.raw_base64 as string, 'base64')).toEqual(line.subarray(0, -1));
      expect(dead[i]).not.toHaveProperty('raw');
    }
    const badOffset = badLines[0]!.indexOf(0xff);
    expect(dead[0]!.reason).toBe(
      `line is not UTF-8: byte 0xff at byte ${badOffset} of the line (write the file as UTF-8; the line's bytes are in raw_base64)`,
    );
    expect(dead.at(-1)).toMatchObject({
      line: 13,
      bytes: 2 << 20,
      reason: `line is too long: ${2 << 20} bytes, over --max-line-bytes ${1 << 20} (split it into events, or raise --max-line-bytes; its first 1024 bytes are in head_base64)`,
    });
    expect(Buffer.from(dead.at(-1)!.head_base64 as string, 'base64')).toEqual(
      longLine.subarray(0, 1024),
    );
  });

  it('dead-letters a line over 16 MiB by default', async () => {
    const file = openSync(at('long.ndjson'), 'w');
    writeSync(file, lineWithCardTail(Buffer.from('1'), 1_000));
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 17; i++) writeSync(file, block);
    writeSync(file, '\n');
    writeSync(file, lineWithCardTail(Buffer.from('2'), 2_000));
    closeSync(file);
    const result = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      at('long.ndjson'),
      '--output',
      at('long.rows'),
      '--dead-letter',
      at('long.dead'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('3 events read, 2 valid, 0 late, 1 invalid');
    expect(readNdjson(at('long.dead'))).toMatchObject([
      { line: 2, code: 'line_too_long', bytes: 17 << 20 },
    ]);
  });

  it('refuses a --max-line-bytes that is not a positive whole number: exit 2', async () => {
    const result = await runCli([
      'replay',
      '--job',
      'transactions',
      '--input',
      at('long.ndjson'),
      '--output',
      at('x.rows'),
      '--max-line-bytes',
      '16MiB',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--max-line-bytes is not a positive whole number of bytes: '16MiB' (e.g. 16777216 for 16 MiB)",
    );
  });
});
