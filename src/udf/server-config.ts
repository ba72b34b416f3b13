/**
 * The UDF server's configuration: flags, then the environment, then defaults; validated and
 * frozen. Environment: UDF_ADDRESS, UDF_METRICS_PORT, UDF_MAX_MESSAGE_BYTES,
 * UDF_TLS_CERT, UDF_TLS_KEY, UDF_TLS_CLIENT_CA, UDF_DRAIN_GRACE, UDF_DRAIN_TIMEOUT.
 */
import { z } from 'zod';
import { resolveServiceEndpoints } from '../config/environment.ts';
import { FeatureflowError } from '../core/errors.ts';
import { parseDurationMs } from '../core/utils/durations.ts';
import type { ServerTlsFiles } from './tls-credentials.ts';

export interface UdfServerConfig {
  /** host:port to listen on; port 0 picks a free port. */
  readonly address: string;
  /** Port of the /metrics HTTP endpoint; 0 picks a free port; null serves none. */
  readonly metricsPort: number | null;
  /** Largest Invoke request accepted; larger ones get RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes: number;
  readonly tls: ServerTlsFiles | undefined;
  /** How long health reports NOT_SERVING, still serving calls, before new calls are refused. */
  readonly drainGraceMs: number;
  /** How long in-flight calls may take to finish once new calls are refused. */
  readonly drainTimeoutMs: number;
}

export interface UdfServerFlags {
  address?: string | undefined;
  metricsPort?: string | undefined;
  maxMessageBytes?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsClientCa?: string | undefined;
  drainGrace?: string | undefined;
  drainTimeout?: string | undefined;
}

export const UDF_SERVER_DEFAULTS = Object.freeze({
  metricsPort: 9464,
  maxRequestBytes: 16 * 1024 * 1024,
  drainGrace: '1s',
  drainTimeout: '30s',
});

const configSchema = z.object({
  metricsPort: z.number().int().min(0).max(65_535).nullable(),
  // grpc-js takes a 32-bit signed limit.
  maxRequestBytes: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 31 - 1),
});

export function resolveUdfServerConfig(
  flags: UdfServerFlags,
  env: NodeJS.ProcessEnv = process.env,
): UdfServerConfig {
  const { udfAddress } = resolveServiceEndpoints({ udfAddress: flags.address }, env);
  const metricsText = flags.metricsPort ?? env.UDF_METRICS_PORT;
  const maxBytesText = flags.maxMessageBytes ?? env.UDF_MAX_MESSAGE_BYTES;
  const candidate = {
    metricsPort:
      metricsText === undefined
        ? UDF_SERVER_DEFAULTS.metricsPort
        : metricsText === 'off'
          ? null
          : Number(metricsText),
    maxRequestBytes: Number(maxBytesText ?? UDF_SERVER_DEFAULTS.maxRequestBytes),
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    const names: Record<string, string> = {
      metricsPort: `--metrics-port / UDF_METRICS_PORT: '${metricsText}'`,
      maxRequestBytes: `--max-message-bytes / UDF_MAX_MESSAGE_BYTES: '${maxBytesText}'`,
    };
    throw new FeatureflowError(
      'invalid_argument',
      `${names[field] ?? field} is unusable (${issue.message}; metrics port 0-65535 or 'off', message size 1024 to 2147483647 bytes)`,
    );
  }
  return Object.freeze({
    address: udfAddress,
    ...parsed.data,
    tls: resolveTls(flags, env),
    drainGraceMs: parseDurationMs(
      flags.drainGrace ?? env.UDF_DRAIN_GRACE ?? UDF_SERVER_DEFAULTS.drainGrace,
      '--drain-grace',
    ),
    drainTimeoutMs: parseDurationMs(
      flags.drainTimeout ?? env.UDF_DRAIN_TIMEOUT ?? UDF_SERVER_DEFAULTS.drainTimeout,
      '--drain-timeout',
    ),
  });
}

function resolveTls(flags: UdfServerFlags, env: NodeJS.ProcessEnv): ServerTlsFiles | undefined {
  const certFile = flags.tlsCert ?? env.UDF_TLS_CERT;
  const keyFile = flags.tlsKey ?? env.UDF_TLS_KEY;
  const clientCaFile = flags.tlsClientCa ?? env.UDF_TLS_CLIENT_CA;
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined) {
      throw new FeatureflowError(
        'invalid_argument',
        `--tls-client-ca needs TLS on: got a client CA (${clientCaFile}) but no --tls-cert and --tls-key (pass the server's certificate and key too)`,
      );
    }
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `TLS needs both a certificate and its key: got only ${certFile ? `--tls-cert ${certFile}` : `--tls-key ${keyFile}`} (pass --tls-cert and --tls-key, or UDF_TLS_CERT and UDF_TLS_KEY)`,
    );
  }
  return Object.freeze({ certFile, keyFile, ...(clientCaFile ? { clientCaFile } : {}) });
}
