/**
 * A throwaway `redis-server` (Debian's, apt package `redis-server`) for tests and benchmarks:
 * a free random port on 127.0.0.1, no persistence (`--save '' --appendonly no`), a temp dir,
 * ready when it answers PING. Never the Redis a developer may run on 6379, never a mock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export interface RedisServerOptions {
  /** A fixed port, e.g. to restart a server where clients expect it; default: a free one. */
  port?: number;
  readyTimeoutMs?: number;
  /** Extra `--name value` arguments for redis-server. */
  extraArgs?: readonly string[];
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Asks the OS for a port nobody listens on. Another process could take it before redis-server
 * binds it, so `startRedisServer` retries on "Address already in use". */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error(`could not read the port of a probe socket: ${String(address)}`);
  }
  return address.port;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const attempts = options.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await startOnPort(port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && /Address already in use/i.test(error.message))) throw error;
    }
  }
  throw lastError;
}

async function startOnPort(port: number, options: RedisServerOptions): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'featureflow-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    '',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(REDIS_SERVER_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Keep the tail of the log: it is what explains a server that would not start.
  let log = '';
  const keepLog = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) =>
      resolve(`exit code ${code ?? '-'} signal ${signal ?? '-'}`),
    );
    child.once('error', (error) => resolve(`spawn failed: ${error.message}`));
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const deadline = Date.now() + readyTimeoutMs;
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });
  while (!(await answersPing(port))) {
    if (exitReason !== undefined || Date.now() > deadline) {
      await stop();
      const why = exitReason ?? `no PONG within ${readyTimeoutMs} ms`;
      throw new Error(
        `redis-server did not start on 127.0.0.1:${port}: ${why} (binary ${REDIS_SERVER_BINARY}; install it with 'apt-get install redis-server')\n${log.trim()}`,
      );
    }
    await sleep(20);
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid ?? -1, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // Unref'd, so a prompt exit does not leave a 5 s timer holding the process open.
  const grace = sleep(5_000, false, { ref: false });
  const killed = await Promise.race([exited.then(() => true), grace]);
  if (!killed) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** One raw RESP PING on a fresh socket: true when the server answers +PONG. */
export function answersPing(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    // Refused or reset means "not answering yet": exactly what the caller polls for.
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}
