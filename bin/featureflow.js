#!/usr/bin/env node
// The `featureflow` command. The CLI is TypeScript run through tsx's loader, so a fresh
// `npm ci` is enough: there is no build step whose output could go stale. Both hooks: a
// definitions module in a folder without `"type": "module"` is CommonJS TypeScript.
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
registerCommonJs();
await import('../src/cli/main.ts');
