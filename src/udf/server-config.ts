/**
 * The UDF server's configuration: flags, then the environment, then defaults; validated and
 * frozen. Environment: UDF_ADDRESS, UDF_METRICS_PORT, UDF_METRICS_ADDRESS,
 * UDF_MAX_MESSAGE_BYTES, UDF_MAX_CONCURRENT_CALLS, UDF_MAX_BYTES_IN_FLIGHT,
 * UDF_MAX_RESPONSE_BYTES, UDF_MAX_ENTITY_ID_BYTES, UDF_TLS_CERT, UDF_TLS_KEY, UDF_TLS_CLIENT_CA,
 * UDF_DRAIN_GRACE, UDF_DRAIN_TIMEOUT.
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
  /** Interface /metrics listens on: loopback unless one is given. */
  readonly metricsAddress: string;
  /** Largest Invoke request accepted; larger ones get RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes: number;
  /** How much the server takes on at once; beyond it calls get RESOURCE_EXHAUSTED. */
  readonly limits: InvokeLimits;
  readonly tls: ServerTlsFiles | undefined;
  /** How long health reports NOT_SERVING, still serving calls, before new calls are refused. */
  readonly drainGraceMs: number;
  /** How long in-flight calls may take to finish once new calls are refused. */
  readonly drainTimeoutMs: number;
}

/**
 * Bounds on what Invoke calls may make the server hold, so that no batch and no crowd of them
 * can take it out of memory. Infinity turns a limit off.
 */
export interface InvokeLimits {
  /** Invoke calls being computed at once. */
  readonly maxConcurrentCalls: number;
  /** Request bytes plus estimated response bytes of the calls being computed, together. */
  readonly maxBytesInFlight: number;
  /** Largest response a call may produce, estimated from the request before computing. */
  readonly maxResponseBytes: number;
  /** Longest entity id (UTF-8 bytes) a window may have; a longer one is a row error. */
  readonly maxEntityIdBytes: number;
}

export interface UdfServerFlags {
  address?: string | undefined;
  metricsPort?: string | undefined;
  metricsAddress?: string | undefined;
  maxMessageBytes?: string | undefined;
  maxConcurrentCalls?: string | undefined;
  maxBytesInFlight?: string | undefined;
  maxResponseBytes?: string | undefined;
  maxEntityIdBytes?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsClientCa?: string | undefined;
  drainGrace?: string | undefined;
  drainTimeout?: string | undefined;
}

const MIB = 1024 * 1024;

export const UDF_SERVER_DEFAULTS = Object.freeze({
  metricsPort: 9464,
  metricsAddress: '127.0.0.1',
  maxRequestBytes: 16 * MIB,
  limits: Object.freeze({
    maxConcurrentCalls: 32,
    maxBytesInFlight: 256 * MIB,
    maxResponseBytes: 64 * MIB,
    maxEntityIdBytes: 1024,
  }) satisfies InvokeLimits,
  drainGrace: '1s',
  drainTimeout: '30s',
});

/** A limit: a positive whole number, or Infinity ('off'). */
const limit = z.number().int().positive().or(z.literal(Number.POSITIVE_INFINITY));

const configSchema = z.object({
  metricsPort: z.number().int().min(0).max(65_535).nullable(),
  metricsAddress: z.string().regex(/^[^\s/]+$/, 'expected an interface address such as 0.0.0.0'),
  // grpc-js takes a 32-bit signed limit.
  maxRequestBytes: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 31 - 1),
  maxConcurrentCalls: limit,
  maxBytesInFlight: limit,
  maxResponseBytes: limit,
  maxEntityIdBytes: limit,
});

/** Where each setting comes from, for messages. */
const SOURCES = {
  metricsPort: ['--metrics-port', 'UDF_METRICS_PORT', "a port 0-65535 or 'off'"],
  metricsAddress: ['--metrics-address', 'UDF_METRICS_ADDRESS', 'an interface address'],
  maxRequestBytes: ['--max-message-bytes', 'UDF_MAX_MESSAGE_BYTES', '1024 to 2147483647 bytes'],
  maxConcurrentCalls: [
    '--max-concurrent-calls',
    'UDF_MAX_CONCURRENT_CALLS',
    "a positive whole number or 'off'",
  ],
  maxBytesInFlight: [
    '--max-bytes-in-flight',
    'UDF_MAX_BYTES_IN_FLIGHT',
    "a positive number of bytes or 'off'",
  ],
  maxResponseBytes: [
    '--max-response-bytes',
    'UDF_MAX_RESPONSE_BYTES',
    "a positive number of bytes or 'off'",
  ],
  maxEntityIdBytes: [
    '--max-entity-id-bytes',
    'UDF_MAX_ENTITY_ID_BYTES',
    "a positive number of bytes or 'off'",
  ],
} as const;

function limitOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  return text === 'off' ? Number.POSITIVE_INFINITY : Number(text);
}

export function resolveUdfServerConfig(
  flags: UdfServerFlags,
  env: NodeJS.ProcessEnv = process.env,
): UdfServerConfig {
  const { udfAddress, udfAddresses } = resolveServiceEndpoints({ udfAddress: flags.address }, env);
  if (udfAddresses.length > 1) {
    // The list form names replicas for clients (the Flink bridge); each replica is one process.
    throw new FeatureflowError(
      'invalid_argument',
      `UDF_ADDRESS / --udf-address is a list of ${udfAddresses.length} replicas, '${udfAddress}': a udf-server listens on one host:port (start one per replica, each with its own --udf-address)`,
    );
  }
  const texts: Record<keyof typeof SOURCES, string | undefined> = {
    metricsPort: flags.metricsPort ?? env.UDF_METRICS_PORT,
    metricsAddress: flags.metricsAddress ?? env.UDF_METRICS_ADDRESS,
    maxRequestBytes: flags.maxMessageBytes ?? env.UDF_MAX_MESSAGE_BYTES,
    maxConcurrentCalls: flags.maxConcurrentCalls ?? env.UDF_MAX_CONCURRENT_CALLS,
    maxBytesInFlight: flags.maxBytesInFlight ?? env.UDF_MAX_BYTES_IN_FLIGHT,
    maxResponseBytes: flags.maxResponseBytes ?? env.UDF_MAX_RESPONSE_BYTES,
    maxEntityIdBytes: flags.maxEntityIdBytes ?? env.UDF_MAX_ENTITY_ID_BYTES,
  };
  const defaults = UDF_SERVER_DEFAULTS.limits;
  const candidate = {
    metricsPort:
      texts.metricsPort === undefined
        ? UDF_SERVER_DEFAULTS.metricsPort
        : texts.metricsPort === 'off'
          ? null
          : Number(texts.metricsPort),
    metricsAddress: texts.metricsAddress ?? UDF_SERVER_DEFAULTS.metricsAddress,
    maxRequestBytes: Number(texts.maxRequestBytes ?? UDF_SERVER_DEFAULTS.maxRequestBytes),
    maxConcurrentCalls: limitOf(texts.maxConcurrentCalls, defaults.maxConcurrentCalls),
    maxBytesInFlight: limitOf(texts.maxBytesInFlight, defaults.maxBytesInFlight),
    maxResponseBytes: limitOf(texts.maxResponseBytes, defaults.maxResponseBytes),
    maxEntityIdBytes: limitOf(texts.maxEntityIdBytes, defaults.maxEntityIdBytes),
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]) as keyof typeof SOURCES;
    const [flag, variable, expected] = SOURCES[field];
    throw new FeatureflowError(
      'invalid_argument',
      `${flag} / ${variable}: '${texts[field]}' is unusable (${issue.message}; expected ${expected})`,
    );
  }
  const { metricsPort, metricsAddress, maxRequestBytes, ...limits } = parsed.data;
  return Object.freeze({
    address: udfAddress,
    metricsPort,
    metricsAddress,
    maxRequestBytes,
    limits: Object.freeze(limits),
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
