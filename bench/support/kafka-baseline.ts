/**
 * What Kafka alone delivers from a backlog: its own ConsumerPerformance tool, run from the
 * stack's Kafka jars, reading the topic from the start in a fresh group. The baseline of the
 * Flink benchmarks' events/s per slot (one consumer, like one source subtask).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { libDirOf } from '../../src/stack/artifacts.ts';
import { resolveHomeDir } from '../../src/stack/stack-config.ts';

const run = promisify(execFile);

/**
 * Records per second ConsumerPerformance fetches `messages` records of `topic` at: its
 * fetch.nMsg.sec, which leaves out the consumer's start and group join, as the jobs' sustained
 * rates leave out theirs.
 */
export async function consumerPerformanceRate(
  brokers: readonly string[],
  topic: string,
  messages: number,
  group: string,
): Promise<number> {
  const tool = await run(
    'java',
    [
      '-cp',
      `${libDirOf(resolveHomeDir({}), 'kafka')}/*`,
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--messages',
      String(messages),
      '--group',
      group,
    ],
    { maxBuffer: 1 << 24 },
  );
  // The last line: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,
  // nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec.
  const rate = Number(tool.stdout.trim().split('\n').pop()!.split(',')[9]);
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new Error(`ConsumerPerformance on ${topic}: no rate in its output: ${tool.stdout}`);
  }
  return rate;
}
