/**
 * How fast the command starts, compiled (dist/, what the installed package's bin runs) against
 * the source checkout's TypeScript through tsx (the same run's baseline): `featureflow --help`
 * until it exits, and `featureflow udf-server` from its start to its first SERVING health
 * answer, with its RSS at that moment. Runs interleave the two forms, so that a busy moment
 * of a shared machine falls on both.
 *
 *   npx tsx bench/package-startup.ts [--runs 7]
 *
 * dist/ is built first (`npm run build`), so the compiled form is the checkout's own code.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createUdfClient } from '../src/udf/client.ts';
import { machineLine, median } from './support/measure.ts';
import { recordResult } from './support/results-table.ts';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(flags.runs);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FORMS = {
  tsx: fileURLToPath(new URL('../bin/featureflow.js', import.meta.url)),
  compiled: fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)),
} as const;
type Form = keyof typeof FORMS;
const MIB = 1024 * 1024;

interface Startup {
  helpMs: number;
  udfHealthyMs: number;
  udfRssBytes: number;
}

async function helpMs(entry: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, '--help'], { stdio: 'ignore' });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${entry} --help exited with ${code}`);
  return performance.now() - started;
}

/** From spawn to the first SERVING answer; the RSS of the server then (Linux /proc). */
async function udfServerStart(entry: string): Promise<{ ms: number; rssBytes: number }> {
  const started = performance.now();
  const server = spawn(
    process.execPath,
    [entry, 'udf-server', '--udf-address', '127.0.0.1:0', '--metrics-port', 'off'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const address = await listeningAddress(server);
    // A client made after the server listens: one made before would wait out gRPC's
    // reconnect backoff, which is not the server's start.
    const client = createUdfClient({ address });
    try {
      const status = await client.checkHealth('', { timeoutMs: 10_000 });
      if (status !== 'SERVING') throw new Error(`udf-server answered ${status}, not SERVING`);
    } finally {
      client.close();
    }
    const ms = performance.now() - started;
    return { ms, rssBytes: rssBytesOf(server.pid!) };
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

async function listeningAddress(server: ChildProcess): Promise<string> {
  let stderr = '';
  return await new Promise((resolve, reject) => {
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /udf-server: listening on (\S+?),/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    server.once('exit', (code) => reject(new Error(`udf-server exited with ${code}: ${stderr}`)));
  });
}

function rssBytesOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
console.log(`${machineLine()}, load ${loadavg()[0]!.toFixed(1)}; ${runs} interleaved runs`);

const samples: Record<Form, Startup[]> = { tsx: [], compiled: [] };
// One unmeasured start of each: the first start of a run reads every file from disk.
for (const form of Object.keys(FORMS) as Form[]) await helpMs(FORMS[form]);
for (let run = 0; run < runs; run++) {
  for (const form of Object.keys(FORMS) as Form[]) {
    const udf = await udfServerStart(FORMS[form]);
    const sample = {
      helpMs: await helpMs(FORMS[form]),
      udfHealthyMs: udf.ms,
      udfRssBytes: udf.rssBytes,
    };
    samples[form].push(sample);
    console.log(
      `${form.padEnd(8)} --help ${sample.helpMs.toFixed(0)} ms, udf-server healthy ${sample.udfHealthyMs.toFixed(0)} ms, RSS ${(sample.udfRssBytes / MIB).toFixed(0)} MiB`,
    );
  }
}

const medianOf = (form: Form, key: keyof Startup) => median(samples[form].map((s) => s[key]));
const describe = (form: Form) =>
  `--help ${medianOf(form, 'helpMs').toFixed(0)} ms, udf-server healthy ${medianOf(form, 'udfHealthyMs').toFixed(0)} ms, RSS ${(medianOf(form, 'udfRssBytes') / MIB).toFixed(0)} MiB`;
const ratios = (['helpMs', 'udfHealthyMs', 'udfRssBytes'] as const).map(
  (key) => medianOf('compiled', key) / medianOf('tsx', key),
);
console.log(`compiled: ${describe('compiled')}\ntsx:      ${describe('tsx')}`);

await recordResult('package-startup', {
  figure: `compiled (dist/): ${describe('compiled')} (medians of ${runs})`,
  baseline: `tsx (source checkout): ${describe('tsx')}`,
  ratio: `help ${ratios[0]!.toFixed(2)}, start ${ratios[1]!.toFixed(2)}, RSS ${ratios[2]!.toFixed(2)}`,
  target: '< 1 each',
  met: ratios.every((ratio) => ratio < 1),
});
