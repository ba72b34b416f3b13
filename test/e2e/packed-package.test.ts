// The package as a user gets it: `npm pack` (which builds dist/), the tarball installed into a
// fresh project from the npm cache, then the API imported and type-checked there, and
// `featureflow replay` (a built-in job and a user's JavaScript definitions) and `udf-server`
// run from it: compiled code only, no tsx or esbuild installed.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITIONS_CONDITION } from '../../src/replay/typescript-worker.ts';
import { createUdfClient } from '../../src/udf/client.ts';
import { loginLines } from '../support/login-events.ts';
import { runCli } from '../support/run-cli.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';

const run = promisify(execFile);
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const TYPESCRIPT = join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc');
const dir = mkdtempSync(join(tmpdir(), 'featureflow-packed-'));
const project = join(dir, 'project');
const installed = join(project, 'node_modules', 'featureflow');
const INSTALLED_BIN = join(project, 'node_modules', '.bin', 'featureflow');

/** `npx featureflow ...` in the user's project: the installed bin, never a download. */
function featureflow(...args: string[]) {
  return run('npx', ['--no-install', 'featureflow', ...args], { cwd: project });
}

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], {
    cwd: REPOSITORY,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
  mkdirSync(join(project, 'logins'), { recursive: true });
  cpSync(join(LOGINS_EXAMPLE, 'login_event.avsc'), join(project, 'logins', 'login_event.avsc'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
  );
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', tarball],
    { cwd: project },
  );
}, 240_000);

// Each step runs npm, tsc or the CLI in a child process: many seconds on a busy shared machine.
describe('the packed package, installed into a fresh project', { timeout: 120_000 }, () => {
  it('holds compiled code and what it reads at run time, without tsx, esbuild or src/', () => {
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(readdirSync(join(installed, 'schemas'))).toContain('transaction_event.avsc');
    // What a user's definitions get on replay's window thread: the definitions API alone.
    const { exports } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const definitionsEntry = exports['.'][DEFINITIONS_CONDITION] as string;
    expect(definitionsEntry).toBe('./dist/jobs/definition-api.js');
    expect(existsSync(join(installed, definitionsEntry))).toBe(true);
    for (const devOnly of ['tsx', 'esbuild', 'typescript', 'vitest']) {
      expect(existsSync(join(project, 'node_modules', devOnly)), devOnly).toBe(false);
    }
  });

  it('gives the usage example its documented result, from JavaScript and type-checked', async () => {
    const event = `{
  transaction_id: 'tx-1', card_id: 'card-1', user_id: 'user-1', merchant_id: 'm-1',
  merchant_category: 'grocery', amount: 100.0, currency: 'EUR', country: 'DE', channel: 'pos',
  timestamp: Date.UTC(2024, 0, 1),
}`;
    writeFileSync(
      join(project, 'usage.mjs'),
      `import { computeTransactionFeaturesFromWindow } from 'featureflow';
const features = computeTransactionFeaturesFromWindow([${event}], { windowSizeMinutes: 5 });
console.log(JSON.stringify(features));
`,
    );
    const { stdout } = await run(process.execPath, ['usage.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).toMatchObject({
      txn_count: 1,
      amount_sum: 100,
      velocity_score: 0.1,
    });

    // The same through the published declarations: the right names check, a wrong one fails.
    writeFileSync(
      join(project, 'usage.ts'),
      `import { computeTransactionFeaturesFromWindow, type TransactionEvent } from 'featureflow';
const event: TransactionEvent = ${event};
const features = computeTransactionFeaturesFromWindow([event], { windowSizeMinutes: 5 });
export const count: number = features.txn_count;
// @ts-expect-error: not a feature of the row
export const wrong = features.no_such_feature;
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          strict: true,
          noEmit: true,
          // The declarations name Node's types, as any Node project has them.
          types: ['node'],
          typeRoots: [join(REPOSITORY, 'node_modules', '@types')],
        },
        files: ['usage.ts'],
      }),
    );
    await run(process.execPath, [TYPESCRIPT, '-p', project]);
  });

  it('replays with `npx featureflow replay` exactly as the source checkout does', async () => {
    const input = join(project, 'txn.ndjson');
    await featureflow('generate', '--job', 'transactions', '--events', '3000', '--output', input);
    await featureflow(
      'replay',
      '--job',
      'transactions',
      '--input',
      input,
      '--output',
      'out.ndjson',
    );
    const checkout = join(dir, 'checkout.ndjson');
    expect(
      (await runCli(['replay', '--job', 'transactions', '--input', input, '--output', checkout]))
        .code,
    ).toBe(0);
    const rows = readFileSync(join(project, 'out.ndjson'), 'utf8');
    expect(rows.split('\n').length).toBeGreaterThan(10);
    expect(rows).toBe(readFileSync(checkout, 'utf8'));
  });

  it("replays a user's JavaScript definitions importing `featureflow` on its window thread", async () => {
    const source = readFileSync(join(LOGINS_EXAMPLE, 'index.ts'), 'utf8');
    writeFileSync(
      join(project, 'logins', 'index.js'),
      transformSync(source, { loader: 'ts', format: 'esm' }).code,
    );
    const input = join(project, 'logins.ndjson');
    writeFileSync(input, `${loginLines(2000, 7).join('\n')}\n`);
    const definitions = ['--definitions', 'logins', '--job', 'logins'];
    const { stderr } = await featureflow(
      'replay',
      ...definitions,
      '--input',
      input,
      '--output',
      'l.ndjson',
    );
    expect(stderr).toMatch(/2,000 events read/);
    const checkout = join(dir, 'checkout-logins.ndjson');
    const fromCheckout = await runCli([
      'replay',
      '--definitions',
      LOGINS_EXAMPLE,
      '--job',
      'logins',
      '--input',
      input,
      '--output',
      checkout,
    ]);
    expect(fromCheckout.code).toBe(0);
    const rows = readFileSync(join(project, 'l.ndjson'), 'utf8');
    expect(rows).toContain('"login_count":');
    expect(rows).toBe(readFileSync(checkout, 'utf8'));
  });

  it('serves `featureflow udf-server` until healthy, then drains and exits 0 on SIGTERM', async () => {
    // The installed bin, as npx runs it, but run directly: npx does not pass SIGTERM on to the
    // command (the server would outlive it), and it would hide the server's exit code.
    const server = spawn(
      process.execPath,
      [INSTALLED_BIN, 'udf-server', '--udf-address', '127.0.0.1:0', '--metrics-port', '0'],
      { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      const { address, stderr } = await listening(server);
      const client = createUdfClient({ address });
      try {
        expect(await client.checkHealth('', { timeoutMs: 10_000 })).toBe('SERVING');
      } finally {
        client.close();
      }
      server.kill('SIGTERM');
      const [code] = await once(server, 'exit');
      expect({ code, stderr: stderr() }).toEqual({
        code: 0,
        stderr: expect.stringMatching(/udf-server: drained, exiting/),
      });
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The address from the server's "listening on" line (it binds port 0), and its stderr so far. */
async function listening(server: ChildProcess): Promise<{ address: string; stderr: () => string }> {
  let stderr = '';
  const address = await new Promise<string>((resolve, reject) => {
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /udf-server: listening on (\S+?),/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    server.once('exit', (code) => reject(new Error(`udf-server exited with ${code}: ${stderr}`)));
  });
  return { address, stderr: () => stderr };
}
