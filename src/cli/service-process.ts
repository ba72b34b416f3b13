/**
 * The life of a long-running command (consume, sink): start -> run -> stop, where a stop comes
 * from SIGTERM/SIGINT (exit 0 once drained) or from a fatal error (exit 1, no more status
 * lines). A signal during the first connection stops at once; the drain after a signal gets
 * `drainTimeoutMs`, and a second signal stops without waiting.
 */
import { describeError } from '../core/errors.ts';

export interface StoppableService {
  /** Connects and starts; rejects when it cannot (Kafka unreachable past its retry timeout...). */
  start(): Promise<void>;
  /** Rejects with the first error the running service cannot recover from. */
  readonly failed: Promise<never>;
  /** Finishes the work in hand, commits, disconnects. */
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  log: (line: string) => void;
  drainTimeoutMs: number;
  /** A status line every `statusIntervalMs` while running (0: none). */
  statusLine?: () => string;
  statusIntervalMs?: number;
}

type Outcome = { kind: 'started' } | { kind: 'signal'; signal: NodeJS.Signals };

/** Resolves after a stop by signal; rejects with the fatal error otherwise. */
export async function runServiceProcess(
  service: StoppableService,
  options: ServiceProcessOptions,
): Promise<void> {
  const { log } = options;
  let status: NodeJS.Timeout | undefined;
  let signalled: NodeJS.Signals | undefined;
  let onSignal!: (signal: NodeJS.Signals) => void;
  const signal = new Promise<Outcome>((resolve) => {
    onSignal = (received) => {
      if (signalled !== undefined) {
        log(`${received} again: exiting without waiting for the drain`);
        process.exit(1);
      }
      signalled = received;
      resolve({ kind: 'signal', signal: received });
    };
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const started = await Promise.race([
      service.start().then((): Outcome => ({ kind: 'started' })),
      signal,
      service.failed,
    ]);
    if (started.kind === 'signal') {
      log(`${started.signal} while connecting: stopping`);
      await stopWithin(service, options);
      return;
    }
    if (options.statusLine && options.statusIntervalMs && options.statusIntervalMs > 0) {
      const line = options.statusLine;
      status = setInterval(() => log(line()), options.statusIntervalMs);
    }
    const stopped = (await Promise.race([signal, service.failed])) as Outcome & { kind: 'signal' };
    clearInterval(status);
    log(`${stopped.signal}: finishing the current batch, committing, leaving the group`);
    await stopWithin(service, options);
  } catch (error) {
    clearInterval(status);
    // Leave the group and close the clients, but the error is what the user must see.
    await stopWithin(service, options).catch((stopError: unknown) =>
      log(`shutdown after the failure: ${describeError(stopError)}`),
    );
    throw error;
  } finally {
    clearInterval(status);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

async function stopWithin(service: StoppableService, options: ServiceProcessOptions) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.drainTimeoutMs);
  });
  const result = await Promise.race([
    service.stop().then(
      () => 'stopped' as const,
      (error: unknown) => {
        options.log(`shutdown: ${describeError(error)}`);
        return 'stopped' as const;
      },
    ),
    timedOut,
  ]).finally(() => clearTimeout(timer));
  if (result === 'timeout') {
    options.log(
      `did not drain within ${options.drainTimeoutMs / 1000} s (--drain-timeout): exiting; uncommitted messages are read again on restart`,
    );
    process.exitCode = 1;
  }
}
