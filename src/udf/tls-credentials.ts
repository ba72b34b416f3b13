/**
 * TLS for the UDF service, from PEM files: server-side TLS (cert + key), mutual TLS (plus the CA
 * that signs client certificates: clients without one are refused in the handshake), and the
 * matching client credentials.
 */
import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import { FeatureflowError } from '../core/errors.ts';

export interface ServerTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** When set: mutual TLS, clients must present a certificate signed by this CA. */
  readonly clientCaFile?: string;
}

export interface ClientTlsFiles {
  /** The CA that signed the server's certificate (default: the system's trusted CAs). */
  readonly caFile?: string;
  /** The client's own certificate and key, for a server that requires mutual TLS. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

function readPem(file: string, what: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    // A file the user named: a usage mistake (exit 2).
    throw new FeatureflowError(
      'invalid_argument',
      `cannot read the ${what}: ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}; check ${flag})`,
      { cause: error, context: { file } },
    );
  }
}

export function serverCredentials(tls: ServerTlsFiles | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const cert = readPem(tls.certFile, 'TLS certificate', '--tls-cert / UDF_TLS_CERT');
  const key = readPem(tls.keyFile, 'TLS private key', '--tls-key / UDF_TLS_KEY');
  const clientCa = tls.clientCaFile
    ? readPem(tls.clientCaFile, 'client CA certificate', '--tls-client-ca / UDF_TLS_CLIENT_CA')
    : null;
  try {
    return ServerCredentials.createSsl(
      clientCa,
      [{ cert_chain: cert, private_key: key }],
      clientCa !== null,
    );
  } catch (error) {
    throw new FeatureflowError(
      'invalid_argument',
      `the TLS files are unusable: ${tls.certFile}, ${tls.keyFile} (${(error as Error).message}; expected PEM certificate and key)`,
      { cause: error },
    );
  }
}

export function clientCredentials(tls: ClientTlsFiles | undefined): ChannelCredentials {
  if (!tls) return ChannelCredentials.createInsecure();
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new FeatureflowError(
      'invalid_argument',
      'a client certificate needs its key and the other way round: got only one of --tls-cert, --tls-key (pass both)',
    );
  }
  return ChannelCredentials.createSsl(
    tls.caFile ? readPem(tls.caFile, 'CA certificate', '--tls-ca') : null,
    tls.keyFile ? readPem(tls.keyFile, 'TLS client key', '--tls-key') : null,
    tls.certFile ? readPem(tls.certFile, 'TLS client certificate', '--tls-cert') : null,
  );
}
