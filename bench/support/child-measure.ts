/**
 * Runs one measured pass in its own process (so passes do not share JIT state or heap) and
 * prints one JSON line: {ms, maxRssBytes, ...}.
 *
 *   node --import tsx bench/support/child-measure.ts parse-only FILE
 *   node --import tsx bench/support/child-measure.ts replay FILE JOB OUTPUT
 *
 * A replay pass also prints its main and window threads' CPU time and the SHA-1 of its output,
 * taken after the pass was timed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import { builtInJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { resolveFeatureJobConfig } from '../../src/core/models/config.ts';
import { readLineBatches } from '../../src/io/line-reader.ts';
import { runReplay } from '../../src/replay/replay-job.ts';
import { sampleThreadCpu } from './thread-cpu.ts';

const [mode, input, job, output] = process.argv.slice(2);
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const threadCpu = sampleThreadCpu();
let records = 0;
let windows = 0;
if (mode === 'parse-only') {
  // The baseline: the same line reader, then JSON.parse of every line and nothing else.
  let sink = 0;
  for await (const batch of readLineBatches(input!)) {
    for (const line of batch.lines) {
      if (line.length === 0) continue;
      records++;
      try {
        const value = JSON.parse(line) as { timestamp?: number };
        sink += value.timestamp === undefined ? 0 : 1;
      } catch {
        // Broken lines exist in the input; replay pays for the same try/catch.
        sink--;
      }
    }
  }
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);
} else if (mode === 'replay') {
  const summary = await runReplay({
    config: resolveFeatureJobConfig({ job }, builtInJobRegistry()),
    inputPath: input!,
    outputPath: output!,
  });
  records = summary.records;
  windows = summary.windows;
} else {
  throw new Error(`unknown mode ${mode} (parse-only | replay)`);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
const threads = threadCpu.stop();
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
let outputSha1: string | undefined;
if (mode === 'replay') {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(output!)) hash.update(chunk as Buffer);
  outputSha1 = hash.digest('hex');
}
console.log(
  JSON.stringify({
    mode,
    ms,
    cpuMs,
    mainThreadCpuMs: threads?.mainMs,
    windowThreadCpuMs: threads?.busiestOtherMs,
    records,
    windows,
    maxRssBytes,
    outputSha1,
  }),
);
