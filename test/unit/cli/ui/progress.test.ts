import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../../src/cli/ui/progress.ts';

describe('progress when stderr is not a terminal', () => {
  it('counts events and their rate beside the bytes read', () => {
    const stream = new PassThrough();
    let clock = 0;
    const progress = createProgress('replay', 'bytes', {
      stream,
      intervalMs: 5_000,
      now: () => clock,
    });
    progress.update(0, 4_000_000, 0);
    clock = 5_000;
    progress.update(1_000_000, 4_000_000, 120_000);
    expect(String(stream.read())).toBe(
      'replay: 120,000 events (24,000 events/s), 1,000,000 of 4,000,000 bytes (25%)\n',
    );
  });

  it('prints one line per interval with the count, the share and the rate', () => {
    const stream = new PassThrough();
    let clock = 0;
    const progress = createProgress('replay', 'bytes', {
      stream,
      intervalMs: 5_000,
      now: () => clock,
    });
    progress.update(0, 1_000_000);
    clock = 1_000;
    progress.update(100_000, 1_000_000); // within the interval: nothing
    clock = 5_000;
    progress.update(250_000, 1_000_000);
    clock = 10_000;
    progress.update(750_000, 1_000_000);
    progress.stop();
    expect(String(stream.read())).toBe(
      'replay: 250,000 of 1,000,000 bytes (25%), 50,000 bytes/s\n' +
        'replay: 750,000 of 1,000,000 bytes (75%), 100,000 bytes/s\n',
    );
  });
});
