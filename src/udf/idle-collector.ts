/**
 * Gives memory back once a burst of Invoke calls is over. Garbage is only freed by a garbage
 * collection, and V8 collects when JavaScript allocates: a server that goes quiet after a burst
 * keeps every buffer of it (the requests grpc-js read, refused ones included, and the responses;
 * outside V8's heap, so they do not hurry a collection either) for as long as it stays quiet. A
 * crowd of 200 calls of 3.6 MB left 620 MB of RSS that way, 390 MB of it buffers no call held.
 * So once no call has arrived or finished for `idleMs`, and at least `afterBytes` of requests
 * arrived since the last time, the collector runs one full collection (tens of ms on the
 * service's heap of tens of MB, while nothing waits for it).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleCollectorOptions {
  /** Quiet time (no call arriving or finishing) before collecting. */
  readonly idleMs: number;
  /** Request bytes that must have arrived since the last collection: steady small traffic is
   * left to V8's own schedule. */
  readonly afterBytes: number;
  /** True while calls are in progress: a long call is not an idle server. */
  readonly busy: () => boolean;
}

export interface IdleCollector {
  /** A call arrived with `requestBytes`, or (0) one finished. */
  activity(requestBytes: number): void;
  /** Full collections run so far. */
  readonly collections: number;
  close(): void;
}

let fullCollection: (() => void) | undefined;

/** V8's `gc()`, without asking every user of the CLI for --expose-gc. */
function collectGarbage(): void {
  if (fullCollection === undefined) {
    setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}

export function createIdleCollector(options: IdleCollectorOptions): IdleCollector {
  let bytesSince = 0;
  let lastActivity = 0;
  let collections = 0;
  let timer: NodeJS.Timeout | undefined;

  const check = () => {
    timer = undefined;
    const quietFor = performance.now() - lastActivity;
    if (quietFor < options.idleMs || options.busy()) {
      arm(Math.max(options.idleMs - quietFor, 1));
      return;
    }
    bytesSince = 0;
    collections++;
    collectGarbage();
  };
  const arm = (ms: number) => {
    // Unref'd: a pending collection never keeps a closing server's process alive.
    timer = setTimeout(check, ms).unref();
  };

  return {
    activity(requestBytes) {
      lastActivity = performance.now();
      bytesSince += requestBytes;
      if (timer === undefined && bytesSince >= options.afterBytes) arm(options.idleMs);
    },
    get collections() {
      return collections;
    },
    close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
