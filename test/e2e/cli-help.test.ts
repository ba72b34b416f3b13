// The help a user reads: the version, required options marked, defaults said one way, one
// flag name per concept.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { FEATUREFLOW_BIN, runCli } from '../support/run-cli.ts';

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}

describe('featureflow help', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('marks every required option', async () => {
    const commands = allCommands(await buildProgram());
    const help = new Help();
    const required = commands.flatMap((command) =>
      command.options.filter((option) => option.mandatory).map((option) => ({ command, option })),
    );
    expect(required.length).toBeGreaterThan(0);
    for (const { option } of required) {
      expect(help.optionDescription(option)).toMatch(/\(required\)$/);
    }
  });

  it('says every default the same way: "(default: value)" at the end', async () => {
    const help = new Help();
    for (const command of allCommands(await buildProgram())) {
      for (const option of command.options) {
        const text = help.optionDescription(option);
        if (!/default|\benv\b/i.test(text)) continue;
        expect({ flag: option.flags, text }).toEqual({
          flag: option.flags,
          text: expect.stringMatching(
            /^[^()]*(\([^()]*\)[^()]*)*\(default: [^"()]+(\([^()]*\)[^()]*)*\)( \(required\))?$/,
          ),
        });
        expect(text.match(/default/gi)).toHaveLength(1);
      }
    }
  });

  it('names the UDF service address --udf-address in both udf-server and functions', async () => {
    for (const name of ['udf-server', 'functions']) {
      const result = await runCli([name, '--help']);
      expect(result.stdout).toMatch(/--udf-address <host:port>/);
      expect(result.stdout).not.toMatch(/ --address/);
    }
  });

  it('exits quietly when the reader closes the pipe first (featureflow --help | head)', async () => {
    const child = spawn(process.execPath, [FEATUREFLOW_BIN, '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the help is written: every write of it meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
