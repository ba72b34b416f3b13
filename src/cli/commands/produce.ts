/** `featureflow produce`: an event file to Kafka (see src/produce/produce-file.ts). */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { FeatureflowError } from '../../core/errors.ts';
import { JOBS, type JobName } from '../../core/models/config.ts';
import { createKafkaClient } from '../../kafka/kafka-client.ts';
import { MessageProducer } from '../../kafka/message-producer.ts';
import { produceFile } from '../../produce/produce-file.ts';
import { createProgress, formatCount } from '../ui/progress.ts';

interface ProduceFlags {
  job: string;
  input: string;
  topic?: string;
  brokers?: string;
}

export function register(program: Command): void {
  program
    .command('produce')
    .description(
      'validate an event file (.ndjson or .avro) and produce it to Kafka, Avro-encoded and keyed by entity id',
    )
    .requiredOption('--job <job>', 'transactions | clickstream')
    .requiredOption('--input <file>', 'events: NDJSON or an Avro object container file')
    .option(
      '--topic <topic>',
      'target topic (default txn.events or click.events); invalid records go to <topic>.dlq',
    )
    .option('--brokers <list>', 'Kafka bootstrap servers (default KAFKA_BROKERS or 127.0.0.1:9092)')
    .action(async (flags: ProduceFlags) => {
      if (!(JOBS as readonly string[]).includes(flags.job)) {
        throw new FeatureflowError(
          'invalid_argument',
          `--job must be transactions or clickstream: got '${flags.job}'`,
        );
      }
      const { kafkaBrokers } = resolveServiceEndpoints({ brokers: flags.brokers });
      const producer = new MessageProducer(
        createKafkaClient({ clientId: 'featureflow-produce', brokers: kafkaBrokers }),
        kafkaBrokers,
      );
      await producer.connect();
      const progress = createProgress('produce', 'bytes');
      try {
        const summary = await produceFile({
          job: flags.job as JobName,
          inputPath: flags.input,
          topic: flags.topic,
          producer,
          onProgress: (done, total) => progress.update(done, total),
        });
        progress.stop();
        const seconds = summary.elapsedMs / 1000;
        process.stderr.write(
          `produce ${flags.job}: ${formatCount(summary.records)} records read, ${formatCount(summary.produced)} produced to ${summary.topic}, ` +
            `${formatCount(summary.invalid)} invalid to ${summary.topic}.dlq (${seconds.toFixed(2)} s, ${formatCount(summary.produced / Math.max(seconds, 1e-9))} events/s)\n`,
        );
      } finally {
        progress.stop();
        await producer.disconnect();
      }
    });
}
