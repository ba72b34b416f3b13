// The README's main command (npm start = featureflow demo) on the shared stack: events flow
// through Flink into the features topic and Redis, with progress and features read back.
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';

const stack = inject('stack');

describe('featureflow demo', () => {
  it('runs the pipeline end to end and shows features from Redis', async () => {
    const result = await runCli(['demo', '--events', '3000', '--rate', '3000'], {
      ...stackEnv(stack),
      FEATUREFLOW_RUN_DIR: stack.runDir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/-> job [0-9a-f]{32}/);
    expect(result.stderr).toMatch(/events in 3,000 \(/);
    const done = /demo done: 3,000 events -> Flink -> ([\d,]+) windows -> Redis/.exec(
      result.stderr,
    );
    expect(done, result.stderr).not.toBeNull();
    expect(Number(done![1]!.replace(/,/g, ''))).toBeGreaterThan(100);
    expect(result.stderr).toMatch(/card-0: window \d\d:\d\d-\d\d:\d\d txn_count \d+/);
  });
});
