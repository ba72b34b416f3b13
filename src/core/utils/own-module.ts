/**
 * featureflow's own modules by URL, wherever it runs from: `.ts` files in a source checkout
 * (run through tsx), `.js` files in the compiled package (dist/). The compiler rewrites the
 * `.ts` of import specifiers, but not of a module named by `new URL(...)` (a worker thread's
 * entry, a module compared by path), so those go through here.
 */

/** Whether the module at `moduleUrl` is compiled JavaScript (dist/) rather than TypeScript. */
export function isCompiledModule(moduleUrl: string): boolean {
  return moduleUrl.endsWith('.js');
}

/** The URL of `relativeTsPath` (written with `.ts`) from the module at `moduleUrl`. */
export function ownModuleUrl(relativeTsPath: string, moduleUrl: string): URL {
  const url = new URL(relativeTsPath, moduleUrl);
  if (isCompiledModule(moduleUrl)) url.pathname = url.pathname.replace(/\.ts$/, '.js');
  return url;
}
