#!/usr/bin/env node
// The `featureflow` command. Installed from npm it runs the compiled package (dist/). In a
// source checkout (src/ beside this folder, tsx installed) it runs the TypeScript through tsx,
// so an edit needs no build step; dist/ may be missing or older than src/ there.
import { existsSync } from 'node:fs';

const sourceMain = new URL('../src/cli/main.ts', import.meta.url);
const compiledMain = new URL('../dist/cli/main.js', import.meta.url);
const fromSource =
  existsSync(sourceMain) && (await (await import('./source-checkout.js')).registerSourceCheckout());
if (!fromSource && !existsSync(compiledMain)) {
  process.stderr.write(
    'featureflow: nothing to run: no dist/ and no tsx for src/ (run npm ci for tsx, or npm run build for dist/)\n',
  );
  process.exit(2);
}
await import(fromSource ? sourceMain.href : compiledMain.href);
