/**
 * The shared test stack from containers, for machines with a Docker engine
 * (FEATUREFLOW_TEST_STACK=testcontainers). Kept thin on purpose: CI has no Docker engine, so
 * this path cannot be exercised there; `featureflow up` is the tested path.
 */
import { GenericContainer, Network, Wait } from 'testcontainers';
import type { StackEndpoints } from './stack-endpoints.ts';

export async function startTestcontainersStack(): Promise<{
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}> {
  const network = await new Network().start();
  const redis = await new GenericContainer('redis:7.2').withExposedPorts(6379).start();
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withExposedPorts({ container: 9092, host: 9092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
      KAFKA_LISTENERS:
        'PLAINTEXT://0.0.0.0:9092,INTERNAL://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:9092,INTERNAL://kafka:19092',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
        'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    endpoints: {
      redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
      kafkaBrokers: '127.0.0.1:9092',
      // Flink from containers is left to docker-compose.yml; the Flink tests need `featureflow up`.
      flinkSqlGateway: 'http://127.0.0.1:8083',
      flinkWebUi: 'http://127.0.0.1:8081',
      runDir: '',
    },
    async stop() {
      await kafka.stop();
      await redis.stop();
      await network.stop();
    },
  };
}
