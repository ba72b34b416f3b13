// The README's main command (npm start = featureflow demo) on the shared stack: events flow
// through Flink, which calls the TypeScript functions in the UDF service, into the features
// topics and Redis, with progress and both jobs' features read back.
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';

const stack = inject('stack');

describe('featureflow demo', () => {
  it('runs both jobs through the UDF service end to end and shows features from Redis', async () => {
    const result = await runCli(['demo', '--events', '10000', '--rate', '2000'], {
      ...stackEnv(stack),
      FEATUREFLOW_RUN_DIR: stack.runDir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/UDF service on 127\.0\.0\.1:\d+: .*transaction_features/);
    expect(result.stderr.match(/-> job [0-9a-f]{32}/g)).toHaveLength(2);
    expect(result.stderr).toMatch(/events in 10,000 \(/);
    // Streaming for 5 s with Flink's REST metrics at most 1 s old: the lag shows while it runs.
    expect(result.stderr).toMatch(/watermark lag \d+ s \(event time\)/);
    const done =
      /demo done: 10,000 events -> Flink -> TypeScript UDF service -> ([\d,]+) windows -> Redis/.exec(
        result.stderr,
      );
    expect(done, result.stderr).not.toBeNull();
    expect(Number(done![1]!.replace(/,/g, ''))).toBeGreaterThan(100);
    expect(result.stderr).toMatch(/card-0: window \d\d:\d\d-\d\d:\d\d txn_count \d+/);
    expect(result.stderr).toMatch(/user-0: window \d\d:\d\d-\d\d:\d\d event_count \d+/);
  });
});
