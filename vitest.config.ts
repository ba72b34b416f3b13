/**
 * Two projects: `unit` needs no services; `integration` runs against real services that its
 * global setups start once per run. Another service (Kafka, Flink...) is one more entry in
 * INTEGRATION_GLOBAL_SETUP.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const INTEGRATION_GLOBAL_SETUP: readonly string[] = [
  'test/setup/global-redis.ts',
  'test/setup/global-stack.ts',
];

export default defineConfig({
  // In the checkout, `featureflow` is the source (as in tsconfig.json and bin/source-checkout.js),
  // not the package's exports: the compiled dist/, which need not be built.
  resolve: {
    alias: [
      {
        find: /^featureflow$/,
        replacement: fileURLToPath(new URL('src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    // `extends: true`: each project keeps the root's resolve.alias above.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          // The e2e tests run the CLI in child processes: seconds on a quiet machine, more when
          // the machine is shared (5 s, the default, was exceeded under load).
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [...INTEGRATION_GLOBAL_SETUP],
          // Real services: starting them and pushing 10k+ windows takes seconds, not ms.
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // One file at a time: each drives Kafka and Flink hard, and the machine has 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
