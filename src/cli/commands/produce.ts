/** `featureflow produce`: an event file to Kafka (see src/produce/produce-file.ts). */
import type { Command } from 'commander';
import { resolveServiceEndpoints } from '../../config/environment.ts';
import { type KafkaSecurityFlags, resolveKafkaSecurity } from '../../config/kafka-security.ts';
import { addJobOptions, jobRegistryFor } from '../job-options.ts';
import { addKafkaSecurityOptions } from '../kafka-security-options.ts';

interface ProduceFlags extends KafkaSecurityFlags {
  job: string;
  definitions?: string;
  input: string;
  topic?: string;
  brokers?: string;
}

export function register(program: Command): void {
  addKafkaSecurityOptions(
    addJobOptions(
      program
        .command('produce')
        .description(
          'validate an event file (.ndjson or .avro) and produce it to Kafka, Avro-encoded and keyed by entity id',
        ),
    )
      .requiredOption('--input <file>', 'events: NDJSON or an Avro object container file')
      .option(
        '--topic <topic>',
        "target topic; invalid records go to <topic>.dlq (default: the job's events topic)",
      )
      .option(
        '--brokers <list>',
        'Kafka bootstrap servers (default: KAFKA_BROKERS or 127.0.0.1:9092)',
      ),
  ).action(async (flags: ProduceFlags) => {
    // Loaded when the command runs, so `--help` does not load Kafka or Avro.
    const { detectInputFormat } = await import('../../io/event-file.ts');
    const { createKafkaClient } = await import('../../kafka/kafka-client.ts');
    const { MessageProducer } = await import('../../kafka/message-producer.ts');
    const { produceFile } = await import('../../produce/produce-file.ts');
    const { createProgress, formatCount } = await import('../ui/progress.ts');
    const job = (await jobRegistryFor(flags)).get(flags.job);
    const { kafkaBrokers } = resolveServiceEndpoints({ brokers: flags.brokers });
    const security = resolveKafkaSecurity(flags);
    // A wrong --input is found before Kafka is tried: naming the file beats a minute of
    // broker retries that never mention it.
    await detectInputFormat(flags.input);
    const producer = new MessageProducer(
      createKafkaClient({ clientId: 'featureflow-produce', brokers: kafkaBrokers, security }),
      kafkaBrokers,
    );
    await producer.connect();
    const progress = createProgress('produce', 'bytes');
    try {
      const summary = await produceFile({
        job,
        inputPath: flags.input,
        topic: flags.topic,
        producer,
        onProgress: (done, total, events) => progress.update(done, total, events),
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
