/**
 * `featureflow udf-server`: the gRPC UDF service Flink calls (see src/udf/server.ts). Runs until
 * SIGTERM or SIGINT, then drains: health NOT_SERVING, grace period, in-flight calls finish, exit 0.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  resolveUdfServerConfig,
  UDF_SERVER_DEFAULTS,
  type UdfServerFlags,
} from '../../udf/server-config.ts';
import { addDefinitionsOption, jobRegistryFor } from '../job-options.ts';

export function register(program: Command): void {
  addDefinitionsOption(
    program
      .command('udf-server')
      .description(
        "serve the jobs' TypeScript feature functions to Flink over gRPC (featureflow.udf.v1)",
      ),
  )
    .option(
      '--udf-address <host:port>',
      'listen address; port 0 picks one (default: UDF_ADDRESS or 127.0.0.1:50051)',
    )
    // The flag's old name, kept working for scripts; `functions` calls it --udf-address too.
    .addOption(new Option('--address <host:port>').hideHelp())
    .option(
      '--metrics-port <port>',
      `/metrics port; 0 picks one, 'off' serves none (default: UDF_METRICS_PORT or ${UDF_SERVER_DEFAULTS.metricsPort})`,
    )
    .option(
      '--metrics-address <host>',
      `interface /metrics listens on (default: UDF_METRICS_ADDRESS or ${UDF_SERVER_DEFAULTS.metricsAddress}; 0.0.0.0 for every interface)`,
    )
    .option(
      '--max-message-bytes <n>',
      `largest Invoke request accepted (default: UDF_MAX_MESSAGE_BYTES or ${UDF_SERVER_DEFAULTS.maxRequestBytes})`,
    )
    .option(
      '--max-concurrent-calls <n>',
      `Invoke calls computed at once; more are refused with RESOURCE_EXHAUSTED (default: UDF_MAX_CONCURRENT_CALLS or ${UDF_SERVER_DEFAULTS.limits.maxConcurrentCalls}; 'off': no limit)`,
    )
    .option(
      '--max-bytes-in-flight <n>',
      `request plus largest possible response bytes of the calls computed at once (default: UDF_MAX_BYTES_IN_FLIGHT or ${UDF_SERVER_DEFAULTS.limits.maxBytesInFlight}; 'off': no limit)`,
    )
    .option(
      '--max-response-bytes <n>',
      `largest Invoke response; a batch that could pass it is refused before computing (default: UDF_MAX_RESPONSE_BYTES or ${UDF_SERVER_DEFAULTS.limits.maxResponseBytes}; 'off': no limit)`,
    )
    .option(
      '--max-entity-id-bytes <n>',
      `longest entity id; a window with a longer one gets a row error (default: UDF_MAX_ENTITY_ID_BYTES or ${UDF_SERVER_DEFAULTS.limits.maxEntityIdBytes}; 'off': no limit)`,
    )
    .option('--tls-cert <file>', 'PEM server certificate: serve TLS (default: UDF_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (default: UDF_TLS_KEY)')
    .option(
      '--tls-client-ca <file>',
      'PEM CA of client certificates: require mutual TLS (default: UDF_TLS_CLIENT_CA)',
    )
    .option(
      '--drain-grace <duration>',
      `on SIGTERM, how long health says NOT_SERVING before new calls are refused (default: ${UDF_SERVER_DEFAULTS.drainGrace})`,
    )
    .option(
      '--drain-timeout <duration>',
      `then, how long in-flight calls may take (default: ${UDF_SERVER_DEFAULTS.drainTimeout})`,
    )
    .action(async (flags: UdfServerFlags & { udfAddress?: string; definitions?: string }) => {
      if (flags.address !== undefined) {
        process.stderr.write('udf-server: --address is deprecated: use --udf-address\n');
      }
      const config = resolveUdfServerConfig({
        ...flags,
        address: flags.udfAddress ?? flags.address,
      });
      const { featureFunctions } = await import('../../udf/feature-functions.ts');
      const { createUdfServer } = await import('../../udf/server.ts');
      const functions = featureFunctions(await jobRegistryFor(flags));
      const server = await createUdfServer({ ...config, functions });
      process.stderr.write(
        `udf-server: listening on ${server.address}${config.tls ? (config.tls.clientCaFile ? ' (mutual TLS)' : ' (TLS)') : ''}, ` +
          `functions ${server.functions.join(', ')}, metrics ${server.metricsUrl ?? 'off'}\n`,
      );
      await new Promise<void>((resolve) => {
        let draining = false;
        const stop = (signal: NodeJS.Signals) => {
          if (draining) {
            // A second signal: the operator does not want to wait for the drain.
            process.stderr.write(
              `udf-server: ${signal} again: closing now, cancelling calls in flight\n`,
            );
            server.close().then(resolve, resolve);
            return;
          }
          draining = true;
          process.stderr.write(
            `udf-server: ${signal}: draining (health NOT_SERVING, finishing in-flight calls)\n`,
          );
          server.drain().then(resolve, resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      process.stderr.write('udf-server: drained, exiting\n');
    });
}
