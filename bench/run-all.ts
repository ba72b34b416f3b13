/**
 * `npm run bench` lists the benchmarks with their commands; `npm run bench -- <name> [flags]`
 * runs one (its flags passed on) in a child process, which updates its row of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS, benchmarkNamed } from './catalog.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...flags] = process.argv.slice(2);

if (name === undefined || name === '--list') {
  for (const benchmark of BENCHMARKS) {
    console.log(`${benchmark.name}\n  ${benchmark.measures}\n  needs: ${benchmark.needs}`);
    console.log(`  npm run bench -- ${benchmark.name}   (= npx tsx ${benchmark.file})\n`);
  }
  process.exit(0);
}

const benchmark = benchmarkNamed(name);
if (benchmark === undefined) {
  console.error(
    `featureflow bench: no benchmark named '${name}' (one of: ${BENCHMARKS.map((b) => b.name).join(', ')})`,
  );
  process.exit(2);
}

const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, benchmark.file), ...flags], {
  cwd: ROOT,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
