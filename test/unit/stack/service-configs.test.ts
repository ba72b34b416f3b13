import { describe, expect, it } from 'vitest';
import {
  renderFlinkConfig,
  TASK_MANAGER_MEMORY_MB,
  taskManagerJvmOptions,
} from '../../../src/stack/flink-config.ts';
import { newClusterId, renderServerProperties } from '../../../src/stack/kafka-config.ts';
import { renderRedisConfig } from '../../../src/stack/redis-config.ts';
import { runLayout } from '../../../src/stack/run-folder.ts';
import type { StackPorts } from '../../../src/stack/stack-config.ts';
import { stackTopics } from '../../../src/stack/topics.ts';
import { BUILT_IN } from '../../support/job-events.ts';

const STACK_TOPICS = stackTopics(BUILT_IN);

const ports: StackPorts = {
  redis: 16380,
  kafka: 19092,
  kafkaController: 19093,
  flinkRest: 18081,
  flinkRpc: 16123,
  sqlGateway: 18083,
};
const layout = runLayout('/tmp/run');

function properties(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('Kafka server.properties', () => {
  const props = properties(renderServerProperties(ports, '/tmp/run/kafka/data'));

  it('is one KRaft node, broker and controller, on loopback at the given ports', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
  });

  it('keeps every internal topic at one replica', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.replication.factor',
    ]) {
      expect(props.get(key), key).toBe('1');
    }
  });

  it('gets a cluster id in Kafka format: 16 bytes, base64url, unpadded', () => {
    expect(newClusterId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("never gets a cluster id starting with '-' (kafka-storage would read it as an option)", () => {
    // 0xf8 encodes as '-' first in base64url; the next draw is taken instead.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift()!);
    expect(Buffer.alloc(16, 0xf8).toString('base64url')).toMatch(/^-/);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    expect(draws).toHaveLength(0);
  });
});

describe('Flink config.yaml', () => {
  const yaml = renderFlinkConfig({ ports, taskSlots: 3, layout });
  const entries = new Map(
    yaml
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
  );

  it('binds everything to loopback on the given ports', () => {
    expect(entries.get('rest.port')).toBe('18081');
    expect(entries.get('jobmanager.rpc.port')).toBe('16123');
    expect(entries.get('sql-gateway.endpoint.rest.port')).toBe('18083');
    for (const key of ['jobmanager.bind-host', 'taskmanager.bind-host', 'rest.bind-address']) {
      expect(entries.get(key), key).toBe('"127.0.0.1"');
    }
    expect(entries.get('taskmanager.numberOfTaskSlots')).toBe('3');
  });

  it('checkpoints to the run folder and restarts jobs', () => {
    expect(entries.get('execution.checkpointing.dir')).toBe('"file:///tmp/run/flink/checkpoints"');
    expect(entries.get('execution.checkpointing.interval')).toBe('"10 s"');
    expect(entries.get('restart-strategy.type')).toBe('"exponential-delay"');
  });

  it('gives the TaskManager JVM exactly the heap and direct memory its config declares', () => {
    const m = TASK_MANAGER_MEMORY_MB;
    expect(taskManagerJvmOptions()).toEqual([
      `-Xms${m.frameworkHeap + m.taskHeap}m`,
      `-Xmx${m.frameworkHeap + m.taskHeap}m`,
      `-XX:MaxDirectMemorySize=${m.frameworkOffHeap + m.taskOffHeap + m.network}m`,
      `-XX:MaxMetaspaceSize=${m.metaspace}m`,
    ]);
    expect(entries.get('taskmanager.memory.task.heap.size')).toBe(`"${m.taskHeap}m"`);
    expect(entries.get('taskmanager.memory.network.min')).toBe(
      entries.get('taskmanager.memory.network.max'),
    );
  });
});

describe('Redis config', () => {
  it('listens on loopback only and persists nothing', () => {
    const conf = renderRedisConfig(16380, '/tmp/run/redis', '/tmp/run/logs/redis.log');
    expect(conf).toContain('bind 127.0.0.1\n');
    expect(conf).toContain('port 16380\n');
    expect(conf).toContain('save ""\n');
    expect(conf).toContain('appendonly no\n');
  });
});

describe('stack topics', () => {
  it("are the built-in jobs' events and feature topics, each with .late and .dlq, 3 partitions", () => {
    expect(STACK_TOPICS.map((t) => t.name)).toEqual([
      'txn.events',
      'txn.events.late',
      'txn.events.dlq',
      'click.events',
      'click.events.late',
      'click.events.dlq',
      'features.transactions',
      'features.transactions.late',
      'features.transactions.dlq',
      'features.clickstream',
      'features.clickstream.late',
      'features.clickstream.dlq',
    ]);
    expect(STACK_TOPICS.every((t) => t.partitions === 3)).toBe(true);
  });
});
