/**
 * Asks a UDF service's health every 100 ms from its own process (so that the benchmark's own
 * work never delays the question) until stdin closes, then prints one JSON line:
 * {checks, failures, slowestMs}. A check unanswered within 10 s counts as a failure of 10 s.
 *
 *   node --import tsx bench/support/health-prober.ts HOST:PORT
 */
import { createUdfClient } from '../../src/udf/client.ts';

const address = process.argv[2]!;
const client = createUdfClient({ address });
let checks = 0;
let failures = 0;
let slowestMs = 0;
let stopping = false;

async function probe(): Promise<void> {
  while (!stopping) {
    const asked = performance.now();
    try {
      await client.checkHealth('', { timeoutMs: 10_000 });
    } catch {
      failures++;
    }
    checks++;
    slowestMs = Math.max(slowestMs, performance.now() - asked);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const probing = probe();
process.stdin.resume();
process.stdin.on('end', async () => {
  stopping = true;
  await probing;
  client.close();
  console.log(JSON.stringify({ checks, failures, slowestMs }));
});
