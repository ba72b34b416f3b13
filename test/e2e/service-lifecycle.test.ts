// consume and sink against a Kafka that does not answer: they exit non-zero once
// --kafka-retry-timeout is over (no status lines forever), and one SIGTERM during the first
// connection stops them at once, with exit code 0.
import { afterEach, describe, expect, it } from 'vitest';
import { trackCliProcesses } from '../support/cli-process.ts';

// Nothing listens on port 1.
const UNREACHABLE = { KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' };
const COMMANDS: Record<string, readonly string[]> = {
  consume: ['consume', '--job', 'transactions', '--status-interval', '1'],
  sink: ['sink'],
};

describe.each(Object.keys(COMMANDS))('%s with an unreachable Kafka', (name) => {
  const start = trackCliProcesses(afterEach);
  const args = COMMANDS[name]!;

  it('exits with code 1 after --kafka-retry-timeout, naming the brokers and the flag', async () => {
    const started = performance.now();
    const process = start([...args, '--kafka-retry-timeout', '2s'], UNREACHABLE);
    const code = await process.exited();
    const seconds = (performance.now() - started) / 1000;
    expect(code).toBe(1);
    expect(process.output()).toContain(
      "featureflow: Kafka at 127.0.0.1:1 did not answer for 2 s while connecting (start Kafka, e.g. 'featureflow up', or fix KAFKA_BROKERS / --brokers; --kafka-retry-timeout waits longer)",
    );
    expect(process.output()).not.toContain('events (');
    expect(seconds).toBeLessThan(15);
  });

  it('stops within seconds of one SIGTERM during the first connection, exit code 0', async () => {
    const process = start([...args, '--kafka-retry-timeout', '5m'], UNREACHABLE);
    await expect.poll(() => process.output(), { timeout: 20_000 }).toMatch(/ECONNREFUSED/);
    const signalled = performance.now();
    const code = await process.stop('SIGTERM');
    expect(code).toBe(0);
    expect(process.output()).toContain('SIGTERM while connecting: stopping');
    expect(performance.now() - signalled).toBeLessThan(5_000);
  });
});
