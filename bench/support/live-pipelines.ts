/**
 * The two production pipelines side by side on one live topic, for the benchmarks that run them
 * for minutes (freshness, soak):
 *  - flink: flink-sql/03 (HOP windows, the TypeScript function through the bridge and
 *    `featureflow udf-server`, exactly-once features topic) then `featureflow sink` into Redis
 *    database FLINK_DB;
 *  - consume: `featureflow consume` (the same windows and function, no Flink) into CONSUME_DB.
 * Needs the local stack (`featureflow up`).
 */
import { resolveServiceEndpoints } from '../../src/config/environment.ts';
import { ensureBridgeJar } from '../../src/flink/bridge-jar.ts';
import { SqlGatewayClient } from '../../src/flink/sql-gateway-client.ts';
import { submitSqlScript } from '../../src/flink/submit-script.ts';
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import { MessageProducer } from '../../src/kafka/message-producer.ts';
import { type CliProcess, startCli } from '../../test/support/cli-process.ts';
import {
  startUdfServerProcess,
  type UdfServerProcess,
} from '../../test/support/udf-server-process.ts';

export const FLINK_DB = 1;
export const CONSUME_DB = 2;

export interface LivePipelines {
  readonly eventsTopic: string;
  readonly producer: MessageProducer;
  readonly udfServer: UdfServerProcess;
  readonly sink: CliProcess;
  readonly consumer: CliProcess;
  /** Stops the Flink job and every process, and deletes the topics. */
  stop(): Promise<void>;
}

export async function startLivePipelines(name: string): Promise<LivePipelines> {
  const endpoints = resolveServiceEndpoints();
  const stamp = `${name}-${Date.now().toString(36)}`;
  const eventsTopic = `${stamp}.txn.events`;
  const featuresTopic = `${stamp}.features.transactions`;
  const topics = [eventsTopic, `${eventsTopic}.dlq`, `${eventsTopic}.late`, featuresTopic];
  const kafka = createKafkaClient({ clientId: name, brokers: endpoints.kafkaBrokers });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [...topics, `${featuresTopic}.dlq`].map((topic) => ({
      topic,
      numPartitions: 3,
      replicationFactor: 1,
    })),
    waitForLeaders: true,
  });

  const udfServer = await startUdfServerProcess();
  const sql = new URL('../../flink-sql/03_transaction_features_udf.sql', import.meta.url).pathname;
  const jobs = await submitSqlScript({
    file: sql,
    gatewayUrl: endpoints.flinkSqlGateway,
    vars: {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      UDF_ADDRESS: udfServer.address,
      FEATUREFLOW_BRIDGE_JAR: await ensureBridgeJar(console.error),
      TXN_EVENTS_TOPIC: eventsTopic,
      TXN_EVENTS_LATE_TOPIC: `${eventsTopic}.late`,
      FEATURES_TRANSACTIONS_TOPIC: featuresTopic,
      GROUP_ID: `${stamp}-flink`,
      TRANSACTIONAL_ID_PREFIX: stamp,
    },
    report: () => {},
  });
  const env = { KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  const sink = startCli(
    [
      'sink',
      '--topics',
      `${featuresTopic}=features.transactions`,
      '--group',
      `${stamp}-sink`,
      '--redis',
      `${endpoints.redisUrl}/${FLINK_DB}`,
    ],
    env,
  );
  const consumer = startCli(
    [
      'consume',
      '--job',
      'transactions',
      '--topic',
      eventsTopic,
      '--group',
      `${stamp}-consume`,
      '--redis',
      `${endpoints.redisUrl}/${CONSUME_DB}`,
      '--status-interval',
      '0',
    ],
    env,
  );
  const producer = new MessageProducer(kafka, endpoints.kafkaBrokers);
  await producer.connect();

  return {
    eventsTopic,
    producer,
    udfServer,
    sink,
    consumer,
    async stop() {
      const gateway = new SqlGatewayClient(endpoints.flinkSqlGateway);
      const session = await gateway.openSession();
      for (const job of jobs) {
        await gateway.execute(session, `STOP JOB '${job.jobId}'`).catch(() => {});
      }
      await gateway.closeSession(session);
      await sink.stop();
      await consumer.stop();
      await udfServer.stop();
      await producer.disconnect();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
