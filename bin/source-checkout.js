// How bin/featureflow.js runs a source checkout: tsx's ESM and CommonJS hooks (a definitions
// module in a folder without `"type": "module"` is CommonJS TypeScript), and `featureflow`
// resolved to src/index.ts, as tsconfig.json and vitest.config.ts resolve it, instead of the
// package's exports (the compiled dist/, which a checkout need not have built).
import Module, { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

const SOURCE_INDEX = new URL('../src/index.ts', import.meta.url);

/** Registers the hooks; false when tsx is not installed (`npm ci --omit=dev`): run dist/. */
export async function registerSourceCheckout() {
  let tsx;
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    tsx = { esm: await import('tsx/esm/api'), cjs: await import('tsx/cjs/api') };
  } catch {
    return false;
  }
  tsx.esm.register();
  tsx.cjs.register();
  const resolveHook = `export async function resolve(specifier, context, next) {
    return next(specifier === 'featureflow' ? ${JSON.stringify(SOURCE_INDEX.href)} : specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(resolveHook)}`);
  const sourceIndexPath = fileURLToPath(SOURCE_INDEX);
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolveFilename.call(
      this,
      request === 'featureflow' ? sourceIndexPath : request,
      ...rest,
    );
  };
  return true;
}
