// Where the UDF service listens: /metrics on loopback unless an address is given, and the URL
// it reports is the address really bound. Probed over TCP on this machine's own non-loopback
// interface address.
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createUdfServer } from '../../src/udf/server.ts';

/** This machine's first non-loopback IPv4 address, if it has one. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;

function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('UDF service listeners', () => {
  it('serves /metrics on loopback only by default, and says so', async () => {
    const server = await createUdfServer({ address: '127.0.0.1:0', metricsPort: 0 });
    try {
      const port = Number(new URL(server.metricsUrl!).port);
      expect(server.metricsUrl).toBe(`http://127.0.0.1:${port}/metrics`);
      expect(await tcpReachable('127.0.0.1', port)).toBe(true);
      if (externalAddress !== undefined) {
        expect(await tcpReachable(externalAddress, port)).toBe(false);
      }
    } finally {
      await server.close();
    }
  });

  it.skipIf(externalAddress === undefined)(
    'serves /metrics on every interface when given 0.0.0.0, and reports the wildcard it bound',
    async () => {
      const server = await createUdfServer({
        address: '127.0.0.1:0',
        metricsPort: 0,
        metricsAddress: '0.0.0.0',
      });
      try {
        const port = Number(new URL(server.metricsUrl!).port);
        expect(server.metricsUrl).toBe(`http://0.0.0.0:${port}/metrics`);
        const text = await (await fetch(`http://${externalAddress}:${port}/metrics`)).text();
        expect(text).toContain('featureflow_process_cpu_seconds_total');
      } finally {
        await server.close();
      }
    },
  );
});
