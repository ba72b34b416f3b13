/**
 * Every benchmark, once: its name (for `npm run bench -- <name>` and its row in
 * bench/RESULTS.md), its file, what it measures against which baseline, and what it needs.
 */
export interface Benchmark {
  readonly name: string;
  readonly file: string;
  readonly measures: string;
  readonly needs: string;
}

export const BENCHMARKS = [
  {
    name: 'replay-throughput',
    file: 'bench/replay-throughput.ts',
    measures: 'replay events/s against a JSON.parse-only pass over the same file (target 0.5)',
    needs: 'nothing',
  },
  {
    name: 'replay-memory',
    file: 'bench/replay-memory.ts',
    measures: 'replay max RSS on N against 10 x N events (target < 1.5 x)',
    needs: 'nothing',
  },
  {
    name: 'sink-throughput',
    file: 'bench/sink-throughput.ts',
    measures:
      'FeatureSink windows/s against redis-benchmark running the same Lua script (target 0.6)',
    needs: 'redis-server and redis-benchmark on PATH',
  },
  {
    name: 'udf-encoding',
    file: 'bench/udf-encoding.ts',
    measures: 'server cost per window of the UDF wire encodings against the function in-process',
    needs: 'nothing',
  },
  {
    name: 'udf-abuse',
    file: 'bench/udf-abuse.ts',
    measures:
      'UDF service peak and idle RSS, calls refused and slowest health answer under abusive loads, limits off against the defaults',
    needs: 'nothing',
  },
  {
    name: 'udf-latency',
    file: 'bench/udf-latency.ts',
    measures:
      'UDF service Invoke p50/p99 at 80% of its peak throughput, and its RSS at peak and idle after, against that peak (target p99 <= 100 ms)',
    needs: 'nothing',
  },
  {
    name: 'udf-bridge',
    file: 'bench/udf-bridge.ts',
    measures:
      'Java bridge -> UDF service windows/s against the function in-process (target overhead 2 us)',
    needs: 'Java 17 and Maven',
  },
  {
    name: 'kafka-throughput',
    file: 'bench/kafka-throughput.ts',
    measures:
      "produce and consume events/s against Kafka's ProducerPerformance and ConsumerPerformance",
    needs: 'the local stack (featureflow up)',
  },
  {
    name: 'consumer-memory',
    file: 'bench/consumer-memory.ts',
    measures: 'consumer runtime heap per open window against the same process idle',
    needs: 'the local stack (featureflow up)',
  },
  {
    name: 'flink-sql-throughput',
    file: 'bench/flink-sql-throughput.ts',
    measures: "the pure-SQL Flink job's events/s against ConsumerPerformance on the same backlog",
    needs: 'the local stack (featureflow up)',
  },
  {
    name: 'flink-udf-vs-java',
    file: 'bench/flink-udf-vs-java.ts',
    measures:
      'the Flink job with the TypeScript UDF against the same job with a plain Java UDF (target 0.7)',
    needs: 'the local stack (featureflow up), Java 17 and Maven',
  },
  {
    name: 'freshness',
    file: 'bench/freshness.ts',
    measures: 'window end to Redis p50/p99 through Flink against the consumer runtime',
    needs: 'the local stack (featureflow up)',
  },
  {
    name: 'soak',
    file: 'bench/soak.ts',
    measures:
      'RSS slope (per-minute floors) of udf-server, sink and consume over a long steady run against their RSS after warm-up (target < 1 MiB / 10 min)',
    needs: 'the local stack (featureflow up)',
  },
  {
    name: 'package-startup',
    file: 'bench/package-startup.ts',
    measures:
      'featureflow --help time, udf-server start to its first healthy answer and its RSS, compiled (dist/) against tsx on the source (target < 1 each)',
    needs: 'nothing',
  },
] as const satisfies readonly Benchmark[];

export type BenchmarkName = (typeof BENCHMARKS)[number]['name'];

export function benchmarkNamed(name: string): Benchmark | undefined {
  return BENCHMARKS.find((benchmark) => benchmark.name === name);
}
