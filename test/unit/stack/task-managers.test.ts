import { describe, expect, it } from 'vitest';
import { FeatureflowError } from '../../../src/core/errors.ts';
import { renderServerProperties } from '../../../src/stack/kafka-config.ts';
import { runLayout } from '../../../src/stack/run-folder.ts';
import { planServices } from '../../../src/stack/services.ts';
import { resolveStackConfig } from '../../../src/stack/stack-config.ts';
import { stackTopics } from '../../../src/stack/topics.ts';
import { BUILT_IN } from '../../support/job-events.ts';

const cwd = '/home/user/project';
const layout = runLayout('/tmp/run');

function plansFor(flags: Parameters<typeof resolveStackConfig>[0]) {
  const config = resolveStackConfig(flags, { HOME: '/home/u' }, cwd);
  return planServices({
    config,
    layout,
    artifacts: {
      kafkaClasspath: '/jars/kafka/*',
      flinkClasspath: '/jars/flink/*',
      kafkaLibDir: '/jars/kafka',
      flinkLibDir: '/jars/flink',
    },
    java: 'java',
    kafka: {
      serverProperties: '/tmp/run/kafka/server.properties',
      log4jConfig: '/tmp/run/kafka/log4j2.properties',
      clusterId: 'id',
      metaProperties: '/tmp/run/kafka/data/meta.properties',
      logFile: '/tmp/run/logs/kafka.log',
      saslListener: undefined,
    },
    flink: {
      confDir: '/tmp/run/flink/conf',
      configYaml: '/tmp/run/flink/conf/config.yaml',
      log4jConfig: '/tmp/run/flink/conf/log4j.properties',
    },
    redis: { config: '/tmp/run/redis/redis.conf', logFile: '/tmp/run/logs/redis.log' },
  });
}

/** The `-D key=value` dynamic properties a TaskManager is launched with. */
function dynamicProperties(args: readonly string[]): Map<string, string> {
  const properties = new Map<string, string>();
  args.forEach((arg, i) => {
    if (arg !== '-D') return;
    const [key, value] = args[i + 1]!.split('=') as [string, string];
    properties.set(key, value);
  });
  return properties;
}

describe('up --taskmanagers --task-slots --partitions', () => {
  it('defaults to one TaskManager of 4 slots and 3 partitions, as before', () => {
    const config = resolveStackConfig({}, {}, cwd);
    expect([config.taskManagers, config.taskSlots, config.partitions]).toEqual([1, 4, 3]);
    expect(plansFor({}).map((plan) => plan.name)).toEqual([
      'redis',
      'kafka',
      'flink-jobmanager',
      'flink-taskmanager',
      'sql-gateway',
    ]);
  });

  it('takes the counts from flags over the environment', () => {
    const env = { FEATUREFLOW_TASKMANAGERS: '3', FEATUREFLOW_PARTITIONS: '6' };
    expect(resolveStackConfig({}, env, cwd)).toMatchObject({ taskManagers: 3, partitions: 6 });
    expect(resolveStackConfig({ taskmanagers: '2', partitions: '4' }, env, cwd)).toMatchObject({
      taskManagers: 2,
      partitions: 4,
    });
  });

  it('runs each TaskManager in its own JVM: own log, temporary folder and resource id', () => {
    const managers = plansFor({ taskmanagers: '2', taskSlots: '2' }).filter((plan) =>
      plan.name.startsWith('flink-taskmanager'),
    );
    expect(managers.map((plan) => plan.name)).toEqual(['flink-taskmanager', 'flink-taskmanager-2']);
    expect(managers.map((plan) => plan.logFiles[0])).toEqual([
      '/tmp/run/logs/flink-taskmanager.log',
      '/tmp/run/logs/flink-taskmanager-2.log',
    ]);
    const properties = managers.map((plan) => dynamicProperties(plan.launch.args));
    expect(properties.map((p) => p.get('io.tmp.dirs'))).toEqual([
      '/tmp/run/flink/tmp/flink-taskmanager',
      '/tmp/run/flink/tmp/flink-taskmanager-2',
    ]);
    const ids = properties.map((p) => p.get('taskmanager.resource-id'));
    expect(ids).toEqual(managers.map((plan) => plan.resourceId));
    expect(new Set(ids).size).toBe(2);
    // Fresh for every launch: a restarted TaskManager is never taken for the one it replaces.
    const again = plansFor({ taskmanagers: '2' }).find((p) => p.name === 'flink-taskmanager-2');
    expect(again?.resourceId).not.toBe(ids[1]);
  });

  it('creates the stack topics, and topics made on first use, with the partitions asked for', () => {
    expect(stackTopics(BUILT_IN, 4).every((topic) => topic.partitions === 4)).toBe(true);
    const ports = resolveStackConfig({}, {}, cwd).ports;
    expect(renderServerProperties(ports, '/tmp/run/kafka/data', 4)).toContain(
      '\nnum.partitions=4\n',
    );
  });

  it.each([
    [{ taskmanagers: '0' }, 'give --taskmanagers or FEATUREFLOW_TASKMANAGERS a count in 1..16'],
    [{ partitions: '1000' }, 'give --partitions or FEATUREFLOW_PARTITIONS a count in 1..256'],
  ])('refuses %o, naming the fix', (flags, fix) => {
    expect(() => resolveStackConfig(flags, {}, cwd)).toThrow(FeatureflowError);
    expect(() => resolveStackConfig(flags, {}, cwd)).toThrow(fix);
  });
});
