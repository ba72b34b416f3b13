/**
 * Everything the `featureflow` process writes to stdout and stderr passes through
 * `redactSecrets`: our own lines name REDIS_URL with its password hidden already, but kafkajs,
 * ioredis and Node print URLs and errors of their own, and a secret must not reach a log
 * through them either.
 */
import { redactSecrets, secretsOf } from '../core/redaction.ts';

type Write = typeof process.stdout.write;

export function redactProcessOutput(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const secrets = secretsOf(env, argv);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', exitQuietlyOnClosedPipe);
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(redactSecrets(chunk, secrets), ...rest);
      if (chunk instanceof Uint8Array) {
        const text = Buffer.from(chunk).toString('utf8');
        const redacted = redactSecrets(text, secrets);
        return write(redacted === text ? chunk : redacted, ...rest);
      }
      return write(chunk, ...rest);
    }) as Write;
  }
}

/**
 * A reader that stops reading (`featureflow --help | head`) closes the pipe: nobody is left to
 * tell, so the process ends as it would have, without a stack trace. Any other write error is
 * thrown as before.
 */
export function exitQuietlyOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
}
