/**
 * Vitest global setup of the integration project: ONE throwaway redis-server for the whole run
 * (see test/support/redis-server.ts), its URL handed to tests with `provide`/`inject`. Tests
 * share it safely because each uses its own random key prefix / entity ids and none flushes.
 */
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../support/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis://127.0.0.1:<port> of the run's redis-server. */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
