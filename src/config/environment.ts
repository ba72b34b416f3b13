import { z } from 'zod';
import { FeatureflowError } from '../core/errors.ts';
import { redactSecrets } from '../core/redaction.ts';
import { redisUrlProblem } from '../core/sinks/redis-url.ts';

/**
 * Where the services are: the one place that reads REDIS_URL, KAFKA_BROKERS, UDF_ADDRESS and
 * FLINK_SQL_GATEWAY (README.md). Flags override the environment; the defaults point at
 * the local stack that `featureflow up` starts. Redis's default is 6380, not 6379, because
 * many machines already run a Redis of their own on 6379 and `up` must not collide with it.
 */
export const LOCAL_STACK_DEFAULTS = Object.freeze({
  redisUrl: 'redis://127.0.0.1:6380',
  kafkaBrokers: ['127.0.0.1:9092'],
  udfAddress: '127.0.0.1:50051',
  flinkSqlGateway: 'http://127.0.0.1:8083',
});

export interface ServiceEndpoints {
  readonly redisUrl: string;
  readonly kafkaBrokers: readonly string[];
  /** host:port, or several replicas' host:port joined by commas (the Flink bridge's form). */
  readonly udfAddress: string;
  /** The entries of `udfAddress`, one per replica. */
  readonly udfAddresses: readonly string[];
  readonly flinkSqlGateway: string;
}

export interface ServiceEndpointFlags {
  redis?: string | undefined;
  brokers?: string | undefined;
  udfAddress?: string | undefined;
  flinkSqlGateway?: string | undefined;
}

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');
const HOST_PORT = /^(?:[^\s:/@[\]]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
const UDF_ADDRESS_FORM =
  'expected host:port, or a comma-separated list of host:port, one per UDF service replica';
/** Why one entry of a UDF address list is unusable, or undefined. */
function hostPortProblem(entry: string): string | undefined {
  if (entry === '') return 'is empty';
  const port = HOST_PORT.exec(entry)?.[1];
  if (port === undefined) return 'is not host:port';
  if (Number(port) > 65_535) return 'has a port over 65535';
  return undefined;
}
// The Flink bridge takes the same list and spreads batches over the replicas (udf-server/README.md).
const udfAddressList = z.string().superRefine((text, ctx) => {
  const entries = text.split(',');
  entries.forEach((entry, i) => {
    const problem = hostPortProblem(entry);
    if (problem === undefined) return;
    ctx.addIssue({
      code: 'custom',
      message:
        entries.length > 1
          ? `entry ${i + 1} '${entry}' ${problem}; ${UDF_ADDRESS_FORM}`
          : UDF_ADDRESS_FORM,
    });
  });
});
// Clients parse the URL as a WHATWG URL: one that does not parse would fail later, deep in a
// client, as a stack trace. A password with '/', '@', '?' or '#' must be percent-encoded.
const parsableUrl = (text: string) => {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
};
const URL_FIX =
  'not a URL: check the host and the port, and percent-encode / @ # in a password as %2F %40 %23';
const endpointsSchema = z.object({
  redisUrl: z.string().superRefine((url, context) => {
    const problem = redisUrlProblem(url);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  }),
  kafkaBrokers: z.array(hostPort).min(1),
  udfAddress: udfAddressList,
  flinkSqlGateway: z
    .string()
    .regex(/^https?:\/\//, 'expected http://host:port')
    .refine(parsableUrl, URL_FIX),
});

export function resolveServiceEndpoints(
  flags: ServiceEndpointFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): ServiceEndpoints {
  const brokers = flags.brokers ?? env.KAFKA_BROKERS;
  const candidate = {
    redisUrl: flags.redis ?? env.REDIS_URL ?? LOCAL_STACK_DEFAULTS.redisUrl,
    kafkaBrokers: brokers
      ? brokers
          .split(',')
          .map((b) => b.trim())
          .filter((b) => b.length > 0)
      : [...LOCAL_STACK_DEFAULTS.kafkaBrokers],
    udfAddress: (flags.udfAddress ?? env.UDF_ADDRESS ?? LOCAL_STACK_DEFAULTS.udfAddress)
      .split(',')
      .map((a) => a.trim())
      .join(','),
    flinkSqlGateway: (
      flags.flinkSqlGateway ??
      env.FLINK_SQL_GATEWAY ??
      LOCAL_STACK_DEFAULTS.flinkSqlGateway
    ).replace(/\/+$/, ''),
  };
  const parsed = endpointsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    const names: Record<string, string> = {
      redisUrl: 'REDIS_URL / --redis',
      kafkaBrokers: 'KAFKA_BROKERS / --brokers',
      udfAddress: 'UDF_ADDRESS / --udf-address',
      flinkSqlGateway: 'FLINK_SQL_GATEWAY / --flink-sql-gateway',
    };
    throw new FeatureflowError(
      'invalid_argument',
      `${names[field] ?? field} is unusable: '${redactSecrets(String(candidate[field as keyof typeof candidate]))}' (${issue.message})`,
      { context: { field } },
    );
  }
  return Object.freeze({
    ...parsed.data,
    kafkaBrokers: Object.freeze(parsed.data.kafkaBrokers),
    udfAddresses: Object.freeze(parsed.data.udfAddress.split(',')),
  });
}

export interface DefinitionsFlags {
  definitions?: string | undefined;
}

/**
 * Where the user's job definitions are: `--definitions <path>`, else FEATUREFLOW_DEFINITIONS
 * (a module file, or a folder with an index.ts / index.js); undefined: the built-in jobs only.
 */
export function resolveDefinitionsPath(
  flags: DefinitionsFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const path = flags.definitions ?? env.FEATUREFLOW_DEFINITIONS;
  return path === undefined || path.trim() === '' ? undefined : path;
}
