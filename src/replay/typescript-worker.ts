/**
 * Starts a worker thread that runs one of featureflow's modules. The compiled package (dist/)
 * runs the thread's JavaScript module as it is. A source checkout runs its TypeScript through
 * tsx (bin/featureflow.js registers it), and a worker thread does not inherit loader hooks
 * registered in code. The thread runs the module bundled into one CommonJS file
 * (./bundled-worker-module.ts, cached while its sources are unchanged), which it loads in a
 * fraction of the time the modules take one by one.
 *
 * If the bundle cannot be had (no esbuild, a cache directory that cannot be written), the
 * thread registers tsx itself and loads the module through it, with a warning. It uses tsx's
 * require hook, which works inside the thread, rather than its ESM loader, which starts one more
 * thread of its own: half the start-up cost (measured: 90 against 190 ms of CPU). Modules run
 * either way must not use top-level await or `import.meta`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type TransferListItem, Worker } from 'node:worker_threads';
import { describeError } from '../core/errors.ts';
import { isCompiledModule } from '../core/utils/own-module.ts';
import { bundledWorkerModule, DEFAULT_WORKER_CACHE } from './bundled-worker-module.ts';

/**
 * The package's export condition (package.json `exports`) that resolves `featureflow` to
 * src/jobs/definition-api.ts compiled.
 */
export const DEFINITIONS_CONDITION = 'featureflow-definitions';

/**
 * `moduleUrl`: the thread's module (src/core/utils/own-module.ts names it in either form);
 * `transferList`: what in `workerData` moves to the thread (message ports); `bundleCache`: where
 * bundles are kept (./bundled-worker-module.ts).
 */
export function startTypeScriptWorker(
  moduleUrl: URL,
  workerData: unknown,
  transferList: readonly TransferListItem[] = [],
  bundleCache: string = DEFAULT_WORKER_CACHE,
): Worker {
  const options = { workerData, transferList: [...transferList] };
  // Compiled: an ES module Node loads directly, with the process's own options (a user's
  // `--import` loader included, for definitions written in TypeScript), and a user's
  // definitions importing `featureflow` get what a definitions module may use, as a checkout's
  // bundle does, not the whole API with Kafka, Redis and gRPC clients (0.3-0.5 s to load).
  if (isCompiledModule(moduleUrl.href)) {
    return new Worker(moduleUrl, {
      ...options,
      execArgv: [...process.execArgv, `--conditions=${DEFINITIONS_CONDITION}`],
    });
  }
  let bundle: string;
  try {
    bundle = bundledWorkerModule(moduleUrl, bundleCache);
  } catch (error) {
    process.emitWarning(
      `${describeError(error)}; the thread loads its modules through tsx instead (slower to start)`,
      { code: 'FEATUREFLOW_WORKER_UNBUNDLED' },
    );
    const tsxRequireHook = createRequire(import.meta.url).resolve('tsx/cjs/api');
    const bootstrap = `require(${JSON.stringify(tsxRequireHook)}).register(); require(${JSON.stringify(fileURLToPath(moduleUrl))});`;
    return new Worker(bootstrap, { ...options, eval: true });
  }
  // Not the process's module hooks: a thread inherits `--import tsx` from `node --import tsx ...`
  // and would start tsx's loader, and its thread, for a bundle that needs none (measured: a
  // replay of 1,000 events 0.19 against 0.30 s).
  return new Worker(bundle, { ...options, execArgv: withoutModuleHooks(process.execArgv) });
}

const MODULE_HOOK_OPTIONS = new Set([
  '--import',
  '--loader',
  '--experimental-loader',
  '--require',
  '-r',
]);

/** `execArgv` without the options that load modules or hooks first, and their values. */
export function withoutModuleHooks(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const option = execArgv[i]!;
    if (MODULE_HOOK_OPTIONS.has(option)) {
      i++;
      continue;
    }
    if (MODULE_HOOK_OPTIONS.has(option.split('=')[0]!)) continue;
    kept.push(option);
  }
  return kept;
}
