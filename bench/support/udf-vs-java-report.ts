/**
 * The profile half of bench/flink-udf-vs-java.ts: the UDF server's call counters from its
 * /metrics, and Flink's per-vertex load (busy / back-pressured / idle) summarised per job.
 */

import type { VertexLoad } from './flink-job.ts';
import { median } from './measure.ts';

export interface UdfServerCounters {
  /** Invoke calls (batches). */
  batches: number;
  /** Windows in those calls. */
  rows: number;
  /** Seconds the server spent in them. */
  seconds: number;
}

/** featureflow_udf_batch_rows and featureflow_udf_latency_seconds, as counters so far. */
export async function udfServerCounters(metricsUrl: string): Promise<UdfServerCounters> {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };
  return {
    batches: value('featureflow_udf_batch_rows_count'),
    rows: value('featureflow_udf_batch_rows_sum'),
    seconds: value('featureflow_udf_latency_seconds_sum'),
  };
}

export interface VertexLoadSummary {
  name: string;
  busy: number;
  backPressured: number;
  idle: number;
}

/**
 * Per vertex: the mean over one run's samples, then the median over runs. Samples taken before
 * Flink reported a value (NaN) are left out.
 */
export function summarizeLoad(runs: readonly (readonly VertexLoad[][])[]): VertexLoadSummary[] {
  const names = [
    ...new Set(
      runs.flatMap((samples) => samples.flatMap((s) => s.map((v) => shortVertexName(v.name)))),
    ),
  ];
  const meanOf = (
    samples: readonly VertexLoad[][],
    name: string,
    pick: (v: VertexLoad) => number,
  ) => {
    const values = samples
      .map((s) => s.find((v) => shortVertexName(v.name) === name))
      .filter((v): v is VertexLoad => v !== undefined)
      .map(pick)
      .filter((x) => Number.isFinite(x));
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  };
  return names.map((name) => {
    const across = (pick: (v: VertexLoad) => number) =>
      median(runs.map((samples) => meanOf(samples, name, pick)).filter((x) => Number.isFinite(x)));
    return {
      name,
      busy: across((v) => v.busyMsPerSecond),
      backPressured: across((v) => v.backPressuredMsPerSecond),
      idle: across((v) => v.idleMsPerSecond),
    };
  });
}

/**
 * A vertex name without Flink's operator ids (`Calc[203]`) and argument lists
 * (`LocalWindowAggregate(groupBy=...)`): the same for every run of one job.
 */
export function shortVertexName(name: string): string {
  let short = '';
  let depth = 0;
  const text = name.replace(/\[\d+\]/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '(' && /\w/.test(text[i - 1] ?? '')) depth = 1;
    else short += c;
  }
  return short.replace(/\s+/g, ' ').trim();
}

export function formatLoadTable(
  typescript: readonly VertexLoadSummary[],
  java: readonly VertexLoadSummary[],
): string {
  const ms = (x: number) => (Number.isFinite(x) ? Math.round(x).toString() : '-');
  const rows = [
    ...typescript.map((v) => ['TypeScript', v] as const),
    ...java.map((v) => ['Java', v] as const),
  ].map(
    ([job, v]) => `| ${job} | ${v.name} | ${ms(v.busy)} | ${ms(v.backPressured)} | ${ms(v.idle)} |`,
  );
  return [
    '| job | vertex | busy | back-pressured | idle |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Which vertex is busiest in each job, and how much the source waits on it. */
export function bottleneckLine(
  typescript: readonly VertexLoadSummary[],
  java: readonly VertexLoadSummary[],
): string {
  const describe = (job: string, loads: readonly VertexLoadSummary[]) => {
    if (loads.length === 0) return `${job}: no samples`;
    const busiest = [...loads].sort((a, b) => b.busy - a.busy)[0]!;
    const source = loads[0]!;
    return `${job}: busiest \`${busiest.name.split(' -> ')[0]}\` vertex ${Math.round(busiest.busy)} ms/s busy, source back-pressured ${Math.round(source.backPressured)} ms/s`;
  };
  return `${describe('TypeScript', typescript)}; ${describe('Java', java)}.`;
}
