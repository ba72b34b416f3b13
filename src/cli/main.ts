#!/usr/bin/env node
// Entry point of the `featureflow` command (bin/featureflow.js loads this through tsx).
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2));
