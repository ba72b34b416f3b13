/**
 * The local stack, for real: `featureflow up` in a fresh run folder on free ports (so a
 * developer's own stack on the default ports is never touched), `status`, kafkajs against the
 * chosen Kafka version (produce, consume in a group, commit, rebalance), a Flink SQL job with
 * Avro, an event-time watermark and a HOP window through the SQL Gateway, then `down`, after
 * which none of the stack's processes may remain.
 *
 * Startup and shutdown times are printed: `up` is the slowest thing CI does besides Maven.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import type { GroupConsumer, KafkaClient } from '../../src/kafka/kafka-types.ts';
import { createTopicsWithLeaders } from '../../src/stack/kafka-admin.ts';
import { findFreePort } from '../../src/stack/ports.ts';
import { isAlive } from '../../src/stack/processes.ts';
import type { StackStatus } from '../../src/stack/stack-status.ts';
import type { UpResult } from '../../src/stack/stack-up.ts';
import { stackTopics } from '../../src/stack/topics.ts';
import { BUILT_IN } from '../support/job-events.ts';

const STACK_TOPICS = stackTopics(BUILT_IN);

import { type CliResult, runCli } from '../support/run-cli.ts';
import { openSqlGatewaySession } from '../support/sql-gateway.ts';

const runDir = mkdtempSync(path.join(tmpdir(), 'featureflow-stack-test-'));
/** Every endpoint variable unset: this test's stack is the one `up` starts, on its own ports. */
const cliEnv: NodeJS.ProcessEnv = {
  REDIS_URL: undefined,
  KAFKA_BROKERS: undefined,
  FLINK_SQL_GATEWAY: undefined,
  FEATUREFLOW_RUN_DIR: runDir,
};
let up: UpResult;
let kafka: KafkaClient;

function uniqueName(prefix: string): string {
  return `${prefix}.${randomBytes(4).toString('hex')}`;
}

function expectSuccess(result: CliResult, what: string): void {
  expect(result.code, `${what} failed:\n${result.stderr}`).toBe(0);
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  const names = [
    'REDIS_PORT',
    'KAFKA_PORT',
    'KAFKA_CONTROLLER_PORT',
    'FLINK_PORT',
    'FLINK_RPC_PORT',
    'SQL_GATEWAY_PORT',
  ];
  const ports = new Set<number>();
  while (ports.size < names.length) ports.add(await findFreePort());
  [...ports].forEach((port, i) => {
    cliEnv[`FEATUREFLOW_${names[i]}`] = String(port);
  });

  const startedAt = performance.now();
  const result = await runCli(['up', '--json'], cliEnv);
  expectSuccess(result, 'featureflow up');
  up = JSON.parse(result.stdout) as UpResult;
  const lines = result.stderr.split('\n').filter((line) => / ready in /.test(line));
  console.log(
    `featureflow up: ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall (stack ${(up.totalMs / 1000).toFixed(1)} s, jars ${up.artifactSeconds.toFixed(1)} s)\n${lines.join('\n')}`,
  );
  kafka = createKafkaClient({
    clientId: 'stack-test',
    brokers: [up.state.endpoints.kafkaBrokers],
    // The client logs every rebalance as an error; this test asserts on what happened instead.
    quiet: true,
  });
}, 600_000);

afterAll(async () => {
  // A failed test must not leave JVMs behind: down is idempotent.
  await runCli(['down'], cliEnv);
  rmSync(runDir, { recursive: true, force: true });
}, 120_000);

describe('featureflow up / status / down', () => {
  it('reports every part healthy, with the ports it was given', async () => {
    const result = await runCli(['status', '--json'], cliEnv);
    expectSuccess(result, 'featureflow status');
    const status = JSON.parse(result.stdout) as StackStatus;
    expect(status.healthy).toBe(true);
    expect(status.services.map((s) => s.name)).toEqual([
      'redis',
      'kafka',
      'flink-jobmanager',
      'flink-taskmanager',
      'sql-gateway',
    ]);
    for (const service of status.services) {
      expect(service.health, service.title).toMatchObject({ ok: true });
      expect(service.running, service.title).toBe(true);
    }
    expect(status.services.find((s) => s.name === 'kafka')?.port).toBe(
      Number(cliEnv.FEATUREFLOW_KAFKA_PORT),
    );

    const text = await runCli(['status'], cliEnv);
    expect(text.stdout).toContain('healthy');
    expect(text.stdout).toMatch(
      new RegExp(`Flink SQL Gateway\\s+\\d+\\s+${cliEnv.FEATUREFLOW_SQL_GATEWAY_PORT}\\s+ok`),
    );
  });

  it('created the topics of docs/topics.md with 3 partitions each', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: STACK_TOPICS.map((t) => t.name) });
      expect(metadata.topics.map((t) => t.name).sort()).toEqual(
        STACK_TOPICS.map((t) => t.name).sort(),
      );
      for (const topic of metadata.topics) expect(topic.partitions, topic.name).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  });

  it('starts nothing on a second up of a stack that runs whole', async () => {
    const before = (JSON.parse((await runCli(['status', '--json'], cliEnv)).stdout) as StackStatus)
      .services;
    const result = await runCli(['up'], cliEnv);
    expectSuccess(result, 'a second featureflow up');
    expect(result.stderr).toContain(
      `every service of the stack in ${runDir} runs: nothing to start`,
    );
    expect(result.stdout).toContain('stack up (started: nothing)');
    const after = (JSON.parse((await runCli(['status', '--json'], cliEnv)).stdout) as StackStatus)
      .services;
    expect(after.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
  });

  it('the Kafka client: produce, consume in a group with commits, rebalance to a second consumer', async () => {
    const topic = uniqueName('stack-test.client');
    const groupId = uniqueName('stack-test.group');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 3 }], 30_000);
    const producer = kafka.producer();
    await producer.connect();
    const send = (from: number, count: number) =>
      producer.send({
        topic,
        messages: Array.from({ length: count }, (_, i) => ({
          key: `k${from + i}`,
          value: `m${from + i}`,
        })),
      });

    const received = new Map<string, string[]>(); // consumer -> values
    const assignments = new Map<string, number[]>();
    const startConsumer = async (name: string): Promise<GroupConsumer> => {
      const consumer = kafka.consumer({
        groupId,
        heartbeatIntervalMs: 500,
        sessionTimeoutMs: 10_000,
        onAssigned: (assignment) => assignments.set(name, assignment[topic] ?? []),
      });
      await consumer.connect();
      await consumer.subscribe([topic], { fromBeginning: true });
      received.set(name, []);
      await consumer.run({
        autoCommit: false,
        eachRecord: async ({ partition, message }) => {
          received.get(name)!.push(message.value!.toString());
          // Commit only after "processing": the next offset to read, per docs/topics.md.
          await consumer.commitOffsets([
            { topic, partition, offset: String(Number(message.offset) + 1) },
          ]);
        },
      });
      return consumer;
    };

    try {
      await send(0, 30);
      const first = await startConsumer('a');
      await waitFor(
        'consumer a to read the first 30',
        60_000,
        () => received.get('a')!.length >= 30,
      );
      expect(assignments.get('a')?.sort()).toEqual([0, 1, 2]);
      // A message is pushed before its commit is sent: wait for the commits, not only the reads.
      const committedTotal = async () =>
        (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.reduce(
          (sum, p) => sum + Math.max(0, Number(p.offset)),
          0,
        );
      let committed = 0;
      await waitFor('the 30 offsets to be committed', 30_000, async () => {
        committed = await committedTotal();
        return committed >= 30;
      });
      expect(committed).toBe(30);

      // A second member joins: the group rebalances and splits the 3 partitions between them.
      const second = await startConsumer('b');
      await waitFor('the rebalance to give b partitions', 60_000, () => {
        const a = assignments.get('a') ?? [];
        const b = assignments.get('b') ?? [];
        return b.length > 0 && a.length + b.length === 3 && a.every((p) => !b.includes(p));
      });
      await send(30, 30);
      await waitFor(
        'the next 30 to arrive',
        60_000,
        () => received.get('a')!.length + received.get('b')!.length >= 60,
      );
      const all = [...received.get('a')!, ...received.get('b')!];
      // Committed offsets were honoured: nothing from before the rebalance was read again.
      expect(new Set(all).size).toBe(60);
      expect(received.get('b')!.length).toBeGreaterThan(0);

      // The first member leaves: b takes over every partition and reads what comes next.
      await first.disconnect();
      await waitFor('b to own all partitions', 60_000, () => assignments.get('b')?.length === 3);
      await send(60, 9);
      await waitFor('b to read the last 9', 60_000, () => received.get('b')!.includes('m68'));
      await second.disconnect();
      const final = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(final[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(69);
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  }, 240_000);

  it('Flink SQL through the gateway: Avro in, watermark, HOP window, Avro out', async () => {
    const source = uniqueName('stack-test.txn');
    const sink = uniqueName('stack-test.features');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(
      admin,
      [source, sink].map((topic) => ({ topic, numPartitions: 3 })),
      30_000,
    );
    await admin.disconnect();

    // The schemas Flink's 'avro' format derives from the DDLs below (AvroSchemaConverter):
    // record "record" in namespace org.apache.flink.avro.generated, fields in DDL order,
    // NOT NULL columns plain, nullable ones ["null", T] with default null, BIGINT a plain
    // long, TIMESTAMP(3) a long with logicalType timestamp-millis.
    const sourceType = avro.Type.forSchema({
      type: 'record',
      name: 'record',
      namespace: 'org.apache.flink.avro.generated',
      fields: [
        { name: 'card_id', type: 'string' },
        { name: 'amount', type: 'double' },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'timestamp', type: 'long' },
      ],
    });
    const sinkType = avro.Type.forSchema({
      type: 'record',
      name: 'record',
      namespace: 'org.apache.flink.avro.generated',
      fields: [
        { name: 'entity_id', type: 'string' },
        { name: 'window_start', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'window_end', type: 'long' },
        { name: 'txn_count', type: 'long' },
        { name: 'amount_sum', type: 'double' },
        { name: 'max_note', type: ['null', 'string'], default: null },
      ],
    });

    // Two cards over 10 minutes, one event each 20 s; card c1 never has a note (all NULL),
    // then one far-ahead event so that the watermark passes every earlier window.
    const base = Date.UTC(2026, 0, 1);
    const events = Array.from({ length: 60 }, (_, i) => ({
      card_id: i % 2 === 0 ? 'c0' : 'c1',
      amount: 10 + i,
      note: i % 2 === 0 && i % 4 === 0 ? `n${String(i).padStart(2, '0')}` : null,
      timestamp: base + i * 10_000,
    }));
    events.push({ card_id: 'c9', amount: 1, note: null, timestamp: base + 30 * 60_000 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: source,
      // One partition, in time order: with 'scan.watermark.idle-timeout' the empty partitions
      // go idle, and no event can fall behind the watermark by arriving on a slower partition.
      messages: events.map((event) => ({
        key: event.card_id,
        value: sourceType.toBuffer(event),
        partition: 0,
      })),
    });
    await producer.disconnect();

    const gateway = await openSqlGatewaySession(up.state.endpoints.flinkSqlGateway);
    const brokers = up.state.endpoints.kafkaBrokers;
    await gateway.run(`CREATE TABLE txn (
        card_id STRING NOT NULL, amount DOUBLE NOT NULL, note STRING, \`timestamp\` BIGINT NOT NULL,
        event_time AS TO_TIMESTAMP_LTZ(\`timestamp\`, 3),
        WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
      ) WITH ('connector' = 'kafka', 'topic' = '${source}', 'properties.bootstrap.servers' = '${brokers}',
        'properties.group.id' = '${uniqueName('stack-test.flink')}', 'scan.startup.mode' = 'earliest-offset',
        'scan.watermark.idle-timeout' = '1 s', 'format' = 'avro')`);
    await gateway.run(`CREATE TABLE features (
        entity_id STRING NOT NULL, window_start TIMESTAMP(3) NOT NULL, window_end BIGINT NOT NULL,
        txn_count BIGINT NOT NULL, amount_sum DOUBLE NOT NULL, max_note STRING
      ) WITH ('connector' = 'kafka', 'topic' = '${sink}', 'properties.bootstrap.servers' = '${brokers}',
        'key.format' = 'raw', 'key.fields' = 'entity_id', 'value.format' = 'avro', 'value.fields-include' = 'ALL')`);
    const insert = await gateway.run(`INSERT INTO features
      SELECT card_id, window_start, UNIX_TIMESTAMP(CAST(window_end AS STRING)) * 1000, COUNT(*), SUM(amount), MAX(note)
      FROM TABLE(HOP(TABLE txn, DESCRIPTOR(event_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
      GROUP BY card_id, window_start, window_end`);
    expect(insert.jobId).toMatch(/^[0-9a-f]{32}$/);
    await gateway.close();

    const rows: { key: string; value: Record<string, unknown> }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('stack-test.read') });
    await consumer.connect();
    await consumer.subscribe([sink], { fromBeginning: true });
    await consumer.run({
      eachRecord: async ({ message }) => {
        rows.push({ key: message.key!.toString(), value: sinkType.fromBuffer(message.value!) });
      },
    });
    // c0 and c1 each span 10 minutes: windows ending 00:01 .. 00:14, 14 per card.
    await waitFor('28 window rows from Flink', 120_000, () => rows.length >= 28);
    await consumer.disconnect();

    for (const { key, value } of rows) {
      const start = Number(value.window_start);
      const inWindow = events.filter(
        (e) => e.card_id === key && e.timestamp >= start && e.timestamp < start + 5 * 60_000,
      );
      expect(value.entity_id).toBe(key);
      expect(value.window_end).toBe(start + 5 * 60_000);
      expect(value.txn_count).toBe(inWindow.length);
      expect(value.amount_sum).toBeCloseTo(
        inWindow.reduce((sum, e) => sum + e.amount, 0),
        9,
      );
      const notes = inWindow.flatMap((e) => (e.note === null ? [] : [e.note])).sort();
      expect(value.max_note).toBe(notes.at(-1) ?? null);
    }
    expect(rows.some((r) => r.key === 'c1' && r.value.max_note === null)).toBe(true);
    expect(rows.some((r) => r.key === 'c0' && typeof r.value.max_note === 'string')).toBe(true);

    await fetch(`${up.state.endpoints.flinkWebUi}/v1/jobs/${insert.jobId}?mode=cancel`, {
      method: 'PATCH',
    });
  }, 240_000);

  it('down stops every process it started and leaves none behind', async () => {
    const pids = up.state.services.flatMap((s) => (s.pid === null ? [] : [s.pid]));
    expect(pids).toHaveLength(5);
    const startedAt = performance.now();
    const result = await runCli(['down', '--json'], cliEnv);
    expectSuccess(result, 'featureflow down');
    console.log(
      `featureflow down: ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall\n${result.stderr.trim()}`,
    );
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);

    const status = await runCli(['status'], cliEnv);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('no stack is up');
  }, 120_000);
});
