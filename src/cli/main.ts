#!/usr/bin/env node
// Entry point of the `featureflow` command: bin/featureflow.js loads it compiled (dist/), or in a
// source checkout through tsx.
import { runCli } from './program.ts';
import { redactProcessOutput } from './redacted-output.ts';

const argv = process.argv.slice(2);
redactProcessOutput(argv);
process.exitCode = await runCli(argv);
// The command is done: a client's background retry (kafkajs keeps reconnecting after a failed
// connect) must not hold the process open. Output is written synchronously to files and pipes.
setTimeout(() => process.exit(), 1_000).unref();
