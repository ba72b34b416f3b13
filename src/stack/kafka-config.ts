/**
 * A single-node KRaft Kafka (one JVM is both broker and controller): server.properties, the
 * log4j2 configuration, and the cluster id its storage is formatted with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  prepareSaslListener,
  type SaslListener,
  saslListenerProperties,
} from './kafka-sasl-listener.ts';
import type { RunLayout } from './run-folder.ts';
import { STACK_DEFAULTS, type StackPorts } from './stack-config.ts';

export interface KafkaFiles {
  readonly serverProperties: string;
  readonly log4jConfig: string;
  readonly clusterId: string;
  /** Written by the storage format: its presence means "already formatted". */
  readonly metaProperties: string;
  readonly logFile: string;
  /** The SASL_SSL listener, when asked for (up --kafka-sasl-port). */
  readonly saslListener: SaslListener | undefined;
}

/** Heap of the broker: plenty for a laptop's topics, modest on a 2-core CI machine. */
export const KAFKA_JVM_OPTIONS: readonly string[] = Object.freeze(['-Xms256m', '-Xmx512m']);

export function renderServerProperties(
  ports: StackPorts,
  dataDir: string,
  partitions: number = STACK_DEFAULTS.partitions,
  sasl?: SaslListener,
): string {
  const saslListener = sasl ? `,SASL_SSL://127.0.0.1:${sasl.port}` : '';
  return [
    '# Written by `featureflow up`; edits are overwritten at the next start.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}${saslListener}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}${saslListener}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${sasl ? ',SASL_SSL:SASL_SSL' : ''}`,
    ...(sasl ? saslListenerProperties(sasl) : []),
    `log.dirs=${dataDir}`,
    '# Topics created on first use get as many partitions as the stack topics (docs/topics.md).',
    `num.partitions=${partitions}`,
    '# One broker: every internal topic must live with one replica, or consumers loop on',
    '# "group coordinator not available" and transactions never start.',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    '# A lone test consumer should not wait 3 s for company before its first assignment.',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

export function renderKafkaLog4j(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = file',
    '# The controller logs every metadata record at INFO: noise on a dev stack.',
    'logger.controller.name = org.apache.kafka.controller',
    'logger.controller.level = WARN',
    '',
  ].join('\n');
}

/**
 * Kafka's cluster id format: 16 random bytes, base64url without padding (like Uuid.toString).
 * Never one that starts with '-': `kafka-storage format --cluster-id -x...` reads it as an option
 * and the stack fails to start (1 start in 64); Kafka's own Uuid.randomUuid() skips those too.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function writeKafkaFiles(
  layout: RunLayout,
  ports: StackPorts,
  partitions: number = STACK_DEFAULTS.partitions,
  saslPort?: number,
): KafkaFiles {
  const saslListener =
    saslPort === undefined ? undefined : prepareSaslListener(layout.kafkaDir, saslPort);
  const serverProperties = path.join(layout.kafkaDir, 'server.properties');
  const log4jConfig = path.join(layout.kafkaDir, 'log4j2.properties');
  const clusterIdFile = path.join(layout.kafkaDir, 'cluster-id');
  const logFile = path.join(layout.logsDir, 'kafka.log');
  // Mode 0600: with the SASL listener, it holds the PLAIN password and the keystore's.
  writeFileSync(
    serverProperties,
    renderServerProperties(ports, layout.kafkaDataDir, partitions, saslListener),
    { mode: 0o600 },
  );
  writeFileSync(log4jConfig, renderKafkaLog4j(logFile));
  // The id is kept with the data: formatted storage refuses to start under another id.
  let clusterId: string;
  if (existsSync(clusterIdFile)) {
    clusterId = readFileSync(clusterIdFile, 'utf8').trim();
  } else {
    clusterId = newClusterId();
    writeFileSync(clusterIdFile, `${clusterId}\n`);
  }
  return Object.freeze({
    serverProperties,
    log4jConfig,
    clusterId,
    metaProperties: path.join(layout.kafkaDataDir, 'meta.properties'),
    logFile,
    saslListener,
  });
}
