/**
 * The jobs one process knows: the built-in ones (src/jobs/) and the user's definitions
 * (`--definitions <path>` or FEATUREFLOW_DEFINITIONS, ./load-definitions.ts), each resolved once
 * (./job-definition.ts). Every list of jobs, topics and functions is asked of a registry; a
 * duplicate job name, topic or function name fails at load, naming both.
 */
import { FeatureflowError } from '../errors.ts';
import type { AvroRecordDefinition } from './event-rules-from-schema.ts';
import type { JobDefinition } from './job-definition.ts';

export class JobRegistry {
  private readonly byName = new Map<string, JobDefinition>();
  private readonly byTopic = new Map<string, { job: JobDefinition; role: 'events' | 'features' }>();
  private readonly byFunction = new Map<string, JobDefinition>();

  /** `definitionsModule`: the user's definitions file the jobs beyond the built-in ones came from. */
  constructor(
    jobs: readonly JobDefinition[],
    readonly definitionsModule?: string,
  ) {
    for (const job of jobs) {
      const twin = this.byName.get(job.name);
      if (twin !== undefined) {
        throw new FeatureflowError(
          'invalid_argument',
          `job ${job.name}: the name is defined twice (in ${twin.module} and ${job.module}; give each job its own name)`,
          { context: { job: job.name } },
        );
      }
      this.byName.set(job.name, job);
      const topics = [
        [job.topics.events, 'events'],
        [job.topics.late, 'events'],
        [job.topics.deadLetter, 'events'],
        [job.topics.features, 'features'],
      ] as const;
      for (const [topic, role] of topics) {
        const owner = this.byTopic.get(topic);
        if (owner !== undefined) {
          throw new FeatureflowError(
            'invalid_argument',
            `job ${job.name}: topic ${topic} is already a topic of job ${owner.job.name} (give each job its own topics)`,
            { context: { job: job.name, topic } },
          );
        }
        this.byTopic.set(topic, { job, role });
      }
      const sameFunction = this.byFunction.get(job.functionName);
      if (sameFunction !== undefined) {
        throw new FeatureflowError(
          'invalid_argument',
          `job ${job.name}: function name ${job.functionName} is already the function of job ${sameFunction.name} (set functionName)`,
          { context: { job: job.name } },
        );
      }
      this.byFunction.set(job.functionName, job);
    }
    Object.freeze(this);
  }

  get jobs(): readonly JobDefinition[] {
    return [...this.byName.values()];
  }

  get names(): readonly string[] {
    return [...this.byName.keys()];
  }

  /** The names as a CLI help text lists them: `transactions | clickstream`. */
  get choices(): string {
    return this.names.join(' | ');
  }

  find(name: string | undefined): JobDefinition | undefined {
    return name === undefined ? undefined : this.byName.get(name);
  }

  /** The job `name`; an unknown name is a usage error naming the jobs there are. */
  get(name: string | undefined, flag = '--job'): JobDefinition {
    const job = this.find(name);
    if (job === undefined) {
      throw new FeatureflowError(
        'invalid_argument',
        `${flag} must be one of ${this.names.join(', ')}: got '${name ?? ''}' (jobs of your own are loaded with --definitions <path> or FEATUREFLOW_DEFINITIONS)`,
        { context: { flag, value: name } },
      );
    }
    return job;
  }

  /** The job whose feature topic is `topic`. */
  jobOfFeatureTopic(topic: string): JobDefinition | undefined {
    const owner = this.byTopic.get(topic);
    return owner?.role === 'features' ? owner.job : undefined;
  }

  /** The job whose events (or late events) topic is `topic`. */
  jobOfEventTopic(topic: string): JobDefinition | undefined {
    const owner = this.byTopic.get(topic);
    return owner?.role === 'events' && topic !== owner.job.topics.deadLetter
      ? owner.job
      : undefined;
  }

  /** The Avro schema a topic carries (events, late events, feature rows), if a job owns it. */
  schemaOfTopic(topic: string): AvroRecordDefinition | undefined {
    const events = this.jobOfEventTopic(topic);
    if (events !== undefined) return events.eventSchema;
    return this.jobOfFeatureTopic(topic)?.featureSchema;
  }

  /** Every topic of every job, in job order. */
  get topics(): readonly string[] {
    return [...this.byTopic.keys()];
  }

  get featureTopics(): readonly string[] {
    return this.jobs.map((job) => job.topics.features);
  }
}
