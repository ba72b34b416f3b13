/**
 * A Kafka of one test's own (one KRaft JVM, the stack's configuration, free ports, a temporary
 * folder) that the test may kill and start again, keeping its data: for what the shared stack's
 * broker must not go through while other tests use it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { libDirOf } from '../../src/stack/artifacts.ts';
import { javaCommand } from '../../src/stack/java.ts';
import { describeKafka } from '../../src/stack/kafka-admin.ts';
import { KAFKA_JVM_OPTIONS, writeKafkaFiles } from '../../src/stack/kafka-config.ts';
import { findFreePort } from '../../src/stack/ports.ts';
import { createRunFolders, runLayout } from '../../src/stack/run-folder.ts';
import { resolveHomeDir } from '../../src/stack/stack-config.ts';
import { waitFor } from './kafka.ts';

export interface PrivateKafka {
  readonly brokers: string;
  /** Starts the broker (again), on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** kill -9: the broker is gone at once, as in a crash. */
  kill(): Promise<void>;
  /** Kills it and removes its folder. */
  remove(): Promise<void>;
}

export async function createPrivateKafka(): Promise<PrivateKafka> {
  const root = mkdtempSync(path.join(tmpdir(), 'featureflow-private-kafka-'));
  const layout = runLayout(root);
  createRunFolders(layout);
  const ports = {
    redis: await findFreePort(),
    kafka: await findFreePort(),
    kafkaController: await findFreePort(),
    flinkRest: await findFreePort(),
    flinkRpc: await findFreePort(),
    sqlGateway: await findFreePort(),
  };
  const files = writeKafkaFiles(layout, ports);
  const java = javaCommand();
  const jvm = [
    `-Dlog4j2.configurationFile=${files.log4jConfig}`,
    '-cp',
    path.join(libDirOf(resolveHomeDir({}), 'kafka'), '*'),
  ];
  await promisify(execFile)(java, [
    '-Xmx256m',
    ...jvm,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    files.clusterId,
    '-c',
    files.serverProperties,
  ]);
  const brokers = `127.0.0.1:${ports.kafka}`;
  let broker: ChildProcess | undefined;

  const kill = async () => {
    if (broker === undefined || broker.exitCode !== null || broker.signalCode !== null) return;
    const exited = once(broker, 'exit');
    broker.kill('SIGKILL');
    await exited;
  };
  return {
    brokers,
    async start() {
      const output = openSync(path.join(layout.logsDir, 'kafka.out'), 'a');
      broker = spawn(java, [...KAFKA_JVM_OPTIONS, ...jvm, 'kafka.Kafka', files.serverProperties], {
        stdio: ['ignore', output, output],
      });
      await waitFor(`the private Kafka at ${brokers} (log: ${files.logFile})`, 120_000, () =>
        describeKafka([brokers], 2_000).then(
          () => true,
          () => undefined,
        ),
      );
    },
    kill,
    async remove() {
      await kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
