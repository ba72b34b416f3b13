// `featureflow udf-server` configuration: flags over environment over defaults, and the
// messages for unusable values.
import { describe, expect, it } from 'vitest';
import { resolveUdfServerConfig } from '../../src/udf/server-config.ts';

describe('resolveUdfServerConfig', () => {
  it('fills every default', () => {
    expect(resolveUdfServerConfig({}, {})).toEqual({
      address: '127.0.0.1:50051',
      metricsPort: 9464,
      metricsAddress: '127.0.0.1',
      maxRequestBytes: 16 * 1024 * 1024,
      limits: {
        maxConcurrentCalls: 32,
        maxBytesInFlight: 256 * 1024 * 1024,
        maxResponseBytes: 64 * 1024 * 1024,
        maxEntityIdBytes: 1024,
      },
      tls: undefined,
      drainGraceMs: 1_000,
      drainTimeoutMs: 30_000,
    });
  });

  it('takes the environment, and flags over it', () => {
    const env = {
      UDF_ADDRESS: '0.0.0.0:6000',
      UDF_METRICS_PORT: 'off',
      UDF_MAX_MESSAGE_BYTES: '1048576',
      UDF_TLS_CERT: 's.crt',
      UDF_TLS_KEY: 's.key',
      UDF_DRAIN_GRACE: '5s',
      UDF_METRICS_ADDRESS: '0.0.0.0',
      UDF_MAX_CONCURRENT_CALLS: '4',
      UDF_MAX_RESPONSE_BYTES: 'off',
    };
    expect(resolveUdfServerConfig({}, env)).toMatchObject({
      address: '0.0.0.0:6000',
      metricsPort: null,
      metricsAddress: '0.0.0.0',
      maxRequestBytes: 1_048_576,
      limits: {
        maxConcurrentCalls: 4,
        maxResponseBytes: Number.POSITIVE_INFINITY,
        maxEntityIdBytes: 1024,
      },
      tls: { certFile: 's.crt', keyFile: 's.key' },
      drainGraceMs: 5_000,
    });
    expect(
      resolveUdfServerConfig(
        {
          address: '127.0.0.1:0',
          metricsPort: '0',
          metricsAddress: '::1',
          maxConcurrentCalls: '8',
          maxBytesInFlight: '1048576',
          maxEntityIdBytes: '64',
          tlsClientCa: 'ca.crt',
        },
        env,
      ),
    ).toMatchObject({
      address: '127.0.0.1:0',
      metricsPort: 0,
      metricsAddress: '::1',
      limits: { maxConcurrentCalls: 8, maxBytesInFlight: 1_048_576, maxEntityIdBytes: 64 },
      tls: { certFile: 's.crt', keyFile: 's.key', clientCaFile: 'ca.crt' },
    });
  });

  it.each([
    [
      { address: 'localhost' },
      "UDF_ADDRESS / --udf-address is unusable: 'localhost' (expected host:port, or a comma-separated list of host:port, one per UDF service replica)",
    ],
    [
      { address: '127.0.0.1:50051,127.0.0.1:50052' },
      "UDF_ADDRESS / --udf-address is a list of 2 replicas, '127.0.0.1:50051,127.0.0.1:50052': a udf-server listens on one host:port (start one per replica, each with its own --udf-address)",
    ],
    [{ metricsPort: '70000' }, "--metrics-port / UDF_METRICS_PORT: '70000' is unusable"],
    [
      { maxMessageBytes: 'lots' },
      "--max-message-bytes / UDF_MAX_MESSAGE_BYTES: 'lots' is unusable",
    ],
    [
      { maxConcurrentCalls: '0' },
      "--max-concurrent-calls / UDF_MAX_CONCURRENT_CALLS: '0' is unusable (Too small: expected number to be >0; expected a positive whole number or 'off')",
    ],
    [
      { maxResponseBytes: '1.5' },
      "--max-response-bytes / UDF_MAX_RESPONSE_BYTES: '1.5' is unusable",
    ],
    [
      { metricsAddress: 'http://x' },
      "--metrics-address / UDF_METRICS_ADDRESS: 'http://x' is unusable",
    ],
    [{ tlsKey: 'k.pem' }, 'TLS needs both a certificate and its key: got only --tls-key k.pem'],
    [
      { tlsClientCa: 'ca.pem' },
      '--tls-client-ca needs TLS on: got a client CA (ca.pem) but no --tls-cert and --tls-key',
    ],
    [{ drainGrace: '5' }, "--drain-grace is not a duration: '5'"],
  ])('refuses %o', (flags, message) => {
    expect(() => resolveUdfServerConfig(flags, {})).toThrow(message);
  });
});
