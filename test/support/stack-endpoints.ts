/** Where the integration tests' shared stack is (see test/setup/global-stack.ts). */
export interface StackEndpoints {
  redisUrl: string;
  /** host:port[,host:port] */
  kafkaBrokers: string;
  flinkSqlGateway: string;
  flinkWebUi: string;
  runDir: string;
}

/** The environment a CLI child process needs to use the shared stack. */
export function stackEnv(stack: StackEndpoints): NodeJS.ProcessEnv {
  return {
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.kafkaBrokers,
    FLINK_SQL_GATEWAY: stack.flinkSqlGateway,
  };
}
