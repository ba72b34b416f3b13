#!/usr/bin/env node
// Entry point of the `featureflow` command (bin/featureflow.js loads this through tsx).
import { runCli } from './program.ts';
import { redactProcessOutput } from './redacted-output.ts';

const argv = process.argv.slice(2);
redactProcessOutput(argv);
process.exitCode = await runCli(argv);
