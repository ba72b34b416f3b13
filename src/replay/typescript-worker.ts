/**
 * Starts a worker thread that runs a TypeScript module. featureflow runs its TypeScript through
 * tsx (bin/featureflow.js registers it), and a worker thread does not inherit loader hooks
 * registered in code, so the worker registers tsx itself before loading the module. It uses
 * tsx's require hook, which works inside the thread, rather than its ESM loader, which starts
 * one more thread of its own: half the start-up cost (measured: 90 against 190 ms of CPU).
 * Modules loaded this way must not use top-level await or `import.meta.resolve`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type TransferListItem, Worker } from 'node:worker_threads';

const tsxRequireHook = createRequire(import.meta.url).resolve('tsx/cjs/api');

/** `transferList`: what in `workerData` moves to the thread (message ports). */
export function startTypeScriptWorker(
  moduleUrl: URL,
  workerData: unknown,
  transferList: readonly TransferListItem[] = [],
): Worker {
  const bootstrap = `require(${JSON.stringify(tsxRequireHook)}).register(); require(${JSON.stringify(fileURLToPath(moduleUrl))});`;
  return new Worker(bootstrap, { eval: true, workerData, transferList: [...transferList] });
}
