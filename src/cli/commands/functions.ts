/**
 * `featureflow functions`: the functions the running UDF service offers, with the Flink SQL
 * signature an analyst calls them with.
 */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { addDefinitionsOption, jobRegistryFor } from '../job-options.ts';

interface FunctionsFlags {
  definitions?: string;
  udfAddress?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  json?: boolean;
}

export function register(program: Command): void {
  addDefinitionsOption(
    program
      .command('functions')
      .description(
        'list the functions the UDF service offers, with their Flink SQL signatures (and the jobs whose function it lacks)',
      ),
  )
    .option(
      '--udf-address <host:port>',
      'the UDF service; of a list of replicas, the first is asked (default: UDF_ADDRESS or 127.0.0.1:50051)',
    )
    .option(
      '--tls-ca <file>',
      "connect with TLS, trusting this CA (PEM) for the server's certificate",
    )
    .option('--tls-cert <file>', 'client certificate (PEM), for a server that requires mutual TLS')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--json', 'print the Describe answer as JSON')
    .action(async (flags: FunctionsFlags) => {
      // Replicas serve the same definitions: the first one answers for all of them.
      const [udfAddress] = resolveServiceEndpoints({ udfAddress: flags.udfAddress }).udfAddresses;
      const { createUdfClient } = await import('../../udf/client.ts');
      const { toSqlSignature } = await import('../../udf/data-types.ts');
      const jobs = await jobRegistryFor(flags);
      const tls =
        flags.tlsCa || flags.tlsCert || flags.tlsKey
          ? { caFile: flags.tlsCa, certFile: flags.tlsCert, keyFile: flags.tlsKey }
          : undefined;
      const client = createUdfClient({ address: udfAddress!, tls });
      try {
        const described = await client.describe({ timeoutMs: 5_000 });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(described, null, 2)}\n`);
          return;
        }
        const lines = [
          `UDF service ${udfAddress}: ${described.protocol}, featureflow ${described.serverVersion}, ${described.functions.length} functions`,
          '',
        ];
        for (const fn of described.functions) {
          lines.push(toSqlSignature(fn), `  ${fn.doc}`, '');
        }
        const offered = new Set(described.functions.map((fn) => fn.name));
        for (const job of jobs.jobs) {
          if (!offered.has(job.functionName)) {
            lines.push(
              `job ${job.name}: its function ${job.functionName} is not offered by this service (start udf-server with the same definitions)`,
              '',
            );
          }
        }
        lines.push(
          "Call them after LOAD MODULE featureflow WITH ('address' = '<host:port>'); events is ARRAY_AGG(ROW(...)) of the fields above, in that order.",
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        client.close();
      }
    });
}
