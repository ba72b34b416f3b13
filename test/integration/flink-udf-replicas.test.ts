// Two replicas of the UDF service behind one UDF_ADDRESS list, one killed -9 mid-stream: the
// Flink bridge sends the batches to the other, the job does not restart (Flink's numRestarts
// stays 0), and every row of the exactly-once features topic equals `featureflow replay` on the
// same file. The kill comes as soon as a replica has computed windows of the first half of the
// events, while the job is still working through that half; the second half follows.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wireTypeOfSchema } from '../../src/core/utils/avro.ts';
import { generateEvents, lastEventTime as lastEventTimeOf } from '../support/generated-events.ts';
import { BUILT_IN } from '../support/job-events.ts';
import { createTopics, readTopic, uniqueName, waitFor } from '../support/kafka.ts';
import { expectRowsClose, type FeatureRow, replayRows, rowKey } from '../support/replay-rows.ts';
import { runCli } from '../support/run-cli.ts';
import { stackEnv } from '../support/stack-endpoints.ts';
import { startUdfServerProcess, type UdfServerProcess } from '../support/udf-server-process.ts';
import { flushWatermarks, SENTINEL_ENTITY } from '../support/watermark-flush.ts';

const stack = inject('stack');
const env = stackEnv(stack);
const dir = mkdtempSync(join(tmpdir(), 'featureflow-flink-replicas-'));
const job = BUILT_IN.get('transactions');
const columns = ['entity_id', 'window_start', 'window_end', ...job.featureNames];
const replicas: UdfServerProcess[] = [];
const startedJobs: string[] = [];

/** The windows a replica computed (`ok` calls of the job's function), from its /metrics. */
async function windowsComputed(replica: UdfServerProcess): Promise<number> {
  const metrics = await (await fetch(replica.metricsUrl!)).text();
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('featureflow_udf_calls_total{') &&
        l.includes(`function="${job.functionName}"`) &&
        l.includes('status="ok"'),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** The job's restarts, from Flink's REST API (the numRestarts job metric). */
async function jobRestarts(jobId: string): Promise<number | undefined> {
  const response = await fetch(`${stack.flinkWebUi}/jobs/${jobId}/metrics?get=numRestarts`);
  if (!response.ok) return undefined;
  const metrics = (await response.json()) as { id: string; value: string }[];
  const value = metrics.find((m) => m.id === 'numRestarts')?.value;
  return value === undefined ? undefined : Number(value);
}

beforeAll(async () => {
  replicas.push(await startUdfServerProcess(), await startUdfServerProcess());
});

afterAll(async () => {
  for (const id of startedJobs) await runCli(['cancel', id], env);
  for (const replica of replicas) await replica.stop();
});

describe('the transactions job over two UDF service replicas, one killed -9 mid-stream', () => {
  const eventsTopic = uniqueName(job.topics.events);
  const featuresTopic = uniqueName(job.topics.features);
  const input = join(dir, 'transactions.ndjson');
  let expected: Map<string, FeatureRow>;

  beforeAll(async () => {
    await createTopics(stack.kafkaBrokers, [
      eventsTopic,
      `${eventsTopic}.dlq`,
      `${eventsTopic}.late`,
      featuresTopic,
    ]);
    await generateEvents(input, {
      job: 'transactions',
      events: 4000,
      entities: 40,
      seed: 29,
      meanGap: '100ms',
    });
    expected = await replayRows('transactions', input, join(dir, 'replay.ndjson'), env);
    expect(expected.size).toBeGreaterThan(100);
  });

  it('writes every window replay writes, each once, with no job restart', async () => {
    const [first, second] = replicas as [UdfServerProcess, UdfServerProcess];
    const submitted = await runCli(
      [
        'submit',
        'flink-sql/03_transaction_features_udf.sql',
        ...Object.entries({
          UDF_ADDRESS: `${first.address},${second.address}`,
          TXN_EVENTS_TOPIC: eventsTopic,
          TXN_EVENTS_LATE_TOPIC: `${eventsTopic}.late`,
          FEATURES_TRANSACTIONS_TOPIC: featuresTopic,
          GROUP_ID: uniqueName('flink-udf-replicas'),
          TRANSACTIONAL_ID_PREFIX: uniqueName('flink-udf-replicas-tx'),
        }).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
      ],
      env,
    );
    const jobIds = [...submitted.stdout.matchAll(/-> job ([0-9a-f]{32})/g)].map((m) => m[1]!);
    startedJobs.push(...jobIds);
    expect(submitted.code, submitted.stderr + submitted.stdout).toBe(0);
    expect(jobIds).toHaveLength(1);
    const jobId = jobIds[0]!;

    const lines = readFileSync(input, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const halves = [lines.slice(0, lines.length / 2), lines.slice(lines.length / 2)];
    const produce = async (half: string[], name: string) => {
      const file = join(dir, name);
      writeFileSync(file, `${half.join('\n')}\n`);
      const produced = await runCli(
        ['produce', '--job', 'transactions', '--input', file, '--topic', eventsTopic],
        env,
      );
      expect(produced.code, produced.stderr).toBe(0);
    };

    const started = Date.now();
    const step = (what: string) =>
      process.stderr.write(`flink-udf-replicas: ${what} at ${Date.now() - started} ms\n`);
    await produce(halves[0]!, 'first-half.ndjson');
    step('first half produced');
    // The replica that computed windows first is killed: the first half may fire too few
    // batches to reach both.
    const victim = await waitFor('a replica to compute windows', 180_000, async () => {
      for (const replica of [first, second])
        if ((await windowsComputed(replica)) > 0) return replica;
      return undefined;
    }).catch(async (error: unknown) => {
      const exceptions = await (await fetch(`${stack.flinkWebUi}/jobs/${jobId}/exceptions`)).text();
      const status = await (await fetch(`${stack.flinkWebUi}/jobs/${jobId}`)).text();
      throw new Error(
        `${String(error)}\n--- job: ${status.slice(0, 2000)}\n--- exceptions: ${exceptions.slice(0, 4000)}\n--- replicas: ${first.stderr()} ${second.stderr()}`,
      );
    });
    const survivor = victim === first ? second : first;
    const survivorBefore = await windowsComputed(survivor);
    victim.child.kill('SIGKILL');
    expect(await victim.stop()).toBeNull();
    step('a replica killed');

    await produce(halves[1]!, 'second-half.ndjson');
    step('second half produced');
    await flushWatermarks(
      stack.kafkaBrokers,
      eventsTopic,
      job,
      lastEventTimeOf(input) + 20 * 60_000,
    );

    const type = wireTypeOfSchema(job.featureSchema);
    const messages = await readTopic(
      stack.kafkaBrokers,
      featuresTopic,
      (m) =>
        m.filter((message) => message.key?.toString() !== SENTINEL_ENTITY).length >= expected.size,
      240_000,
    );
    step('features read');
    const real = messages
      .map((m) => type.fromBuffer(m.value!) as FeatureRow)
      .filter((r) => r.entity_id !== SENTINEL_ENTITY);
    const actual = new Map(real.map((r) => [rowKey(r), r]));
    expect(actual.size).toBe(real.length);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, row] of expected) expectRowsClose(actual.get(key)!, row, columns);

    // The other replica computed the windows after the kill.
    expect(await windowsComputed(survivor)).toBeGreaterThan(survivorBefore);
    const restarts = await waitFor('the job numRestarts metric', 60_000, () => jobRestarts(jobId));
    expect(restarts).toBe(0);
  }, 420_000);
});
