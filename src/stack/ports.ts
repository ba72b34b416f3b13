/**
 * Port checks before anything starts: a service that finds its port taken fails deep inside
 * its own log, after seconds of startup; checking first gives one clear line instead.
 */
import net from 'node:net';
import { FeatureflowError } from '../core/errors.ts';
import { PORT_SPECS, type PortName } from './stack-config.ts';

/** Resolves true when 127.0.0.1:port can be bound now (and releases it at once). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

export async function assertPortsFree(
  ports: readonly { name: PortName; port: number }[],
): Promise<void> {
  for (const { name, port } of ports) {
    if (await isPortFree(port)) continue;
    const spec = PORT_SPECS[name];
    throw new FeatureflowError(
      'conflict',
      `port ${port} for ${spec.label} is already in use (stop what listens there, or choose another port with ${spec.flag} or ${spec.env})`,
      { context: { port, service: name, flag: spec.flag } },
    );
  }
}

/** A port the OS says is free now: for tests that must not collide with a running stack. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
