// TLS and mutual TLS on the UDF service, with certificates made by openssl for this run.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUdfClient } from '../../src/udf/client.ts';
import { createUdfServer, type UdfServer } from '../../src/udf/server.ts';
import { createTestCertificates, type TestCertificates } from '../support/test-certificates.ts';

const grpcCode = (error: unknown) => (error as { cause?: { code?: number } }).cause?.code;

let certs: TestCertificates;
beforeAll(() => {
  certs = createTestCertificates();
});

async function describeWith(server: UdfServer, tls: Parameters<typeof createUdfClient>[0]['tls']) {
  const client = createUdfClient({ address: server.address, tls });
  try {
    return await client.describe({ timeoutMs: 3_000 });
  } finally {
    client.close();
  }
}

describe('TLS', () => {
  let server: UdfServer;
  beforeAll(async () => {
    server = await createUdfServer({
      address: '127.0.0.1:0',
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
    });
  });
  afterAll(() => server?.close());

  it('serves a client that trusts the CA', async () => {
    const described = await describeWith(server, { caFile: certs.caCert });
    expect(described.functions.map((f) => f.name)).toContain('transaction_features');
  });

  it('is not reachable in plaintext', async () => {
    const error = await describeWith(server, undefined).catch((e: unknown) => e);
    expect(grpcCode(error)).toBe(status.UNAVAILABLE);
  });

  it('is refused by a client that does not trust its CA', async () => {
    const error = await describeWith(server, { caFile: certs.strangerCert }).catch(
      (e: unknown) => e,
    );
    expect(grpcCode(error)).toBe(status.UNAVAILABLE);
  });
});

describe('mutual TLS', () => {
  let server: UdfServer;
  beforeAll(async () => {
    server = await createUdfServer({
      address: '127.0.0.1:0',
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCaFile: certs.caCert },
    });
  });
  afterAll(() => server?.close());

  it('serves a client with a certificate from the client CA', async () => {
    const described = await describeWith(server, {
      caFile: certs.caCert,
      certFile: certs.clientCert,
      keyFile: certs.clientKey,
    });
    expect(described.functions).toHaveLength(2);
  });

  it('refuses a client without a certificate', async () => {
    const error = await describeWith(server, { caFile: certs.caCert }).catch((e: unknown) => e);
    expect(grpcCode(error)).toBe(status.UNAVAILABLE);
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const error = await describeWith(server, {
      caFile: certs.caCert,
      certFile: certs.strangerCert,
      keyFile: certs.strangerKey,
    }).catch((e: unknown) => e);
    expect(grpcCode(error)).toBe(status.UNAVAILABLE);
  });
});

describe('TLS configuration errors', () => {
  it('names the file it cannot read and the flag to fix', async () => {
    await expect(
      createUdfServer({
        address: '127.0.0.1:0',
        tls: { certFile: '/nonexistent/server.crt', keyFile: certs.serverKey },
      }),
    ).rejects.toThrow(
      'cannot read the TLS certificate: /nonexistent/server.crt (ENOENT; check --tls-cert / UDF_TLS_CERT)',
    );
  });
});
