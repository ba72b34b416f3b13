#!/usr/bin/env node
// The `featureflow` command. Installed from npm it runs the compiled package (dist/). In a
// source checkout (src/ beside this folder, tsx installed) it runs the TypeScript through tsx,
// so an edit needs no build step; dist/ may be missing or older than src/ there.
import { existsSync } from 'node:fs';

const sourceMain = new URL('../src/cli/main.ts', import.meta.url);
const fromSource =
  existsSync(sourceMain) && (await (await import('./source-checkout.js')).registerSourceCheckout());
await import(fromSource ? sourceMain.href : '../dist/cli/main.js');
