#!/usr/bin/env node
// The `featureflow` command. The CLI is TypeScript run through tsx's loader, so a fresh
// `npm ci` is enough: there is no build step whose output could go stale.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
