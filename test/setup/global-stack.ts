/**
 * Vitest global setup of the integration project: ONE local stack (`featureflow up`: Redis,
 * Kafka, Flink, SQL Gateway) for the whole run, in a temporary run folder on free ports so a
 * developer's own stack is never touched; `featureflow down --purge` afterwards. Tests get the
 * endpoints with `inject('stack')` and use unique topics, groups and ids.
 *
 * Two TaskManagers of 2 slots each: the 4 slots of one TaskManager before, spread so that
 * tests can run a job over two JVMs and kill one of them (flink-parallel-parity, flink-faults).
 *
 * Where a Docker engine is reachable, FEATUREFLOW_TEST_STACK=testcontainers takes the services
 * from containers instead (test/support/testcontainers-stack.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { findFreePort } from '../../src/stack/ports.ts';
import { FEATUREFLOW_BIN } from '../support/run-cli.ts';
import type { StackEndpoints } from '../support/stack-endpoints.ts';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared stack. */
    stack: StackEndpoints;
  }
}

const PORT_VARIABLES = [
  'FEATUREFLOW_REDIS_PORT',
  'FEATUREFLOW_KAFKA_PORT',
  'FEATUREFLOW_KAFKA_CONTROLLER_PORT',
  'FEATUREFLOW_FLINK_PORT',
  'FEATUREFLOW_FLINK_RPC_PORT',
  'FEATUREFLOW_SQL_GATEWAY_PORT',
  // Kafka's SASL_SSL listener, for test/integration/kafka-security.test.ts.
  'FEATUREFLOW_KAFKA_SASL_PORT',
] as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.FEATUREFLOW_TEST_STACK === 'testcontainers') {
    const { startTestcontainersStack } = await import('../support/testcontainers-stack.ts');
    const stack = await startTestcontainersStack();
    project.provide('stack', stack.endpoints);
    return () => stack.stop();
  }
  const runDir = mkdtempSync(join(tmpdir(), 'featureflow-test-stack-'));
  const env: NodeJS.ProcessEnv = { ...process.env, FEATUREFLOW_RUN_DIR: runDir };
  delete env.REDIS_URL;
  delete env.KAFKA_BROKERS;
  delete env.FLINK_SQL_GATEWAY;
  for (const name of PORT_VARIABLES) env[name] = String(await findFreePort());
  const started = Date.now();
  try {
    const cluster = ['--taskmanagers', '2', '--task-slots', '2'];
    await run(process.execPath, [FEATUREFLOW_BIN, 'up', '--timeout', '240s', ...cluster], {
      env,
      maxBuffer: 1 << 24,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    await run(process.execPath, [FEATUREFLOW_BIN, 'down', '--purge'], { env }).catch(
      () => undefined,
    );
    throw new Error(
      `the test stack did not come up (run folder ${runDir}):\n${stderr ?? String(error)}`,
    );
  }
  const { stdout } = await run(process.execPath, [FEATUREFLOW_BIN, 'status', '--json'], { env });
  const status = JSON.parse(stdout) as {
    state: {
      endpoints: {
        redisUrl: string;
        kafkaBrokers: string;
        flinkSqlGateway: string;
        flinkWebUi: string;
      };
    };
  };
  const endpoints = status.state.endpoints;
  process.stderr.write(
    `test stack up in ${((Date.now() - started) / 1000).toFixed(1)} s (${runDir})\n`,
  );
  project.provide('stack', {
    redisUrl: endpoints.redisUrl,
    kafkaBrokers: endpoints.kafkaBrokers,
    flinkSqlGateway: endpoints.flinkSqlGateway,
    flinkWebUi: endpoints.flinkWebUi,
    runDir,
  });
  return async () => {
    await run(process.execPath, [FEATUREFLOW_BIN, 'down', '--purge'], { env });
  };
}
