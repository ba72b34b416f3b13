// Rows sent over a port and written at its other end: the file holds exactly the serializer's
// lines, in order, and a file that cannot be written is reported with the path and the fix.
// Both ends in this thread, as the port works the same between threads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { RowSender } from '../../../src/replay/row-sender.ts';
import { createRowSerializer } from '../../../src/replay/row-serializer.ts';
import { serveRowWriting } from '../../../src/replay/row-writing.ts';
import { TRANSACTION_FEATURE_NAMES } from '../../support/job-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'featureflow-row-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function row(i: number): Record<string, unknown> {
  const values: Record<string, unknown> = {
    entity_id: `card-${i % 97}`,
    window_start: i * 60_000,
    window_end: i * 60_000 + 300_000,
  };
  TRANSACTION_FEATURE_NAMES.forEach((name, k) => {
    values[name] = k === 3 && i % 1000 === 0 ? 'not a number' : (i * 7 + k) / 3;
  });
  return values;
}

/** A sender whose rows are written to `path` at the other end of a port. */
function senderTo(path: string): { sender: RowSender; stop: () => Promise<void> } {
  const channel = new MessageChannel();
  const writing = serveRowWriting(channel.port1, path, TRANSACTION_FEATURE_NAMES);
  const sender = new RowSender(channel.port2, path, TRANSACTION_FEATURE_NAMES);
  return { sender, stop: () => writing.stop() };
}

describe('RowSender and serveRowWriting', () => {
  it('writes every row as the serializer would, in order', async () => {
    const path = join(dir, 'rows.ndjson');
    const { sender: writer, stop } = senderTo(path);
    const rows = Array.from({ length: 20_000 }, (_, i) => row(i));
    for (const [i, r] of rows.entries()) {
      writer.write(r);
      if (i % 3000 === 0) await writer.flushIfFull();
    }
    await writer.close();
    await stop();
    const serialize = createRowSerializer(TRANSACTION_FEATURE_NAMES);
    expect(readFileSync(path, 'utf8')).toBe(`${rows.map(serialize).join('\n')}\n`);
  });

  it('writes an empty file when there are no rows', async () => {
    const path = join(dir, 'empty.ndjson');
    const { sender: writer, stop } = senderTo(path);
    await writer.close();
    await stop();
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('reports a file it cannot write', async () => {
    const path = join(dir, 'missing-folder', 'rows.ndjson');
    const { sender: writer, stop } = senderTo(path);
    writer.write(row(1));
    const error = await writer.close().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await stop();
    expect(error).toBeInstanceOf(FeatureflowError);
    // A folder that does not exist is a wrong path given by the user: a usage mistake (exit 2).
    expect((error as FeatureflowError).code).toBe('invalid_argument');
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot write ${path}: ENOENT.*\\(check the folder exists and is writable\\)$`),
    );
  });

  it('reports the writing side gone before the rows were written', async () => {
    const path = join(dir, 'gone.ndjson');
    const { sender: writer, stop } = senderTo(path);
    writer.write(row(1));
    await stop();
    const error = await writer.close().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FeatureflowError);
    expect((error as Error).message).toBe(
      `cannot write ${path}: the thread at the other end stopped early`,
    );
  });
});
