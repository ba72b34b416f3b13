// replay of a damaged Avro container file: what is whole is replayed, what was lost is reported
// in the summary and the dead-letter file, and the exit code is 1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTransactionsContainer } from '../support/avro-container.ts';
import { readNdjson } from '../support/ndjson.ts';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-avro-damage-'));
const at = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function replay(input: string, name: string) {
  return runCli([
    'replay',
    '--job',
    'transactions',
    '--input',
    input,
    '--output',
    at(`${name}.rows`),
    '--dead-letter',
    at(`${name}.dead`),
  ]);
}

describe('replay of a damaged Avro file', () => {
  it('replays the records before a cut, reports the lost block and exits 1', async () => {
    const file = await writeTransactionsContainer(600);
    const block = file.blocks[8]!;
    writeFileSync(at('cut.avro'), file.bytes.subarray(0, block.start + 50));
    writeFileSync(at('whole.avro'), file.bytes.subarray(0, block.start));

    const result = await replay(at('cut.avro'), 'cut');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${block.firstRecord} events read, ${block.firstRecord} valid`);
    expect(result.stderr).toContain(
      `input damaged: 1 part could not be read, 50 bytes, ${block.count} records lost (the rows hold only what was whole; exit code 1)`,
    );
    expect(result.stderr).toContain(
      `Avro file ${at('cut.avro')} is cut short inside the block at byte ${block.start}`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readNdjson(at('cut.dead'))).toEqual([
      {
        line: block.firstRecord + 1,
        reason: expect.stringContaining('is cut short inside the block'),
        code: 'avro_truncated',
        offset: block.start,
        lost_bytes: 50,
        lost_records: block.count,
      },
    ]);
    // The rows are those of the whole blocks, as from a file that ended cleanly before the cut.
    const whole = await replay(at('whole.avro'), 'whole');
    expect(whole.code, whole.stderr).toBe(0);
    expect(readNdjson(at('cut.rows'))).toEqual(readNdjson(at('whole.rows')));
  });

  it('reads on after a corrupt block in the middle', async () => {
    const file = await writeTransactionsContainer(600);
    const block = file.blocks[3]!;
    const corrupt = Buffer.from(file.bytes);
    Buffer.alloc(12, 0xff).copy(corrupt, block.start + 40);
    writeFileSync(at('corrupt.avro'), corrupt);

    const result = await replay(at('corrupt.avro'), 'corrupt');
    expect(result.code, result.stderr).toBe(1);
    const read = file.records.length - block.count;
    expect(result.stderr).toContain(`${read} events read, ${read} valid`);
    expect(readNdjson(at('corrupt.dead'))).toMatchObject([
      { code: 'avro_corrupt_block', offset: block.start, lost_bytes: block.end - block.start },
    ]);
  });
});
