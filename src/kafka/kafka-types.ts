/**
 * featureflow's own view of a Kafka client: the few calls and shapes the rest of the code uses.
 * Only src/kafka/ knows which client library implements them (kafkajs today), so swapping the
 * client means writing these once, here. A unit test keeps kafkajs imports inside this folder.
 */

/** Record headers as they travel: a value may repeat. */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** A record read from a topic. */
export interface KafkaRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  readonly timestamp: string;
  readonly headers?: KafkaHeaders | undefined;
}

/** A record to send; without a partition, the key chooses it (murmur2, like the Java client). */
export interface OutgoingRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: KafkaHeaders;
}

export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  /** The offset after the partition's last record, as of this fetch. */
  readonly highWatermark: string;
  readonly messages: readonly KafkaRecord[];
}

export interface BatchContext {
  readonly batch: RecordBatch;
  /** Marks `offset` consumed (the next fetch starts after it). */
  resolveOffset(offset: string): void;
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once a rebalance took this batch's partition away. */
  isStale(): boolean;
}

export interface RecordContext {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaRecord;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
  metadata?: string | null;
}

export interface TopicOffsets {
  partition: number;
  offset: string;
  low: string;
  high: string;
}

export interface CommittedOffsets {
  topic: string;
  partitions: { partition: number; offset: string; metadata: string | null }[];
}

export interface TopicMetadata {
  name: string;
  partitions: { partitionId: number; leader: number }[];
}

export interface NewTopic {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: NewTopic[];
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean>;
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void>;
  fetchTopicMetadata(options: { topics: string[] }): Promise<{ topics: TopicMetadata[] }>;
  fetchTopicOffsets(topic: string): Promise<TopicOffsets[]>;
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<CommittedOffsets[]>;
  describeCluster(): Promise<{ brokers: unknown[]; controller: number | null; clusterId: string }>;
  describeGroups(groupIds: string[]): Promise<unknown>;
}

export interface ProducerOptions {
  /** Sending to a missing topic fails instead of creating it (default: the broker decides). */
  allowAutoTopicCreation?: boolean;
  /** 1 keeps a partition's records in send order across retries. */
  maxInFlightRequests?: number;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: { topic: string; messages: OutgoingRecord[]; acks?: number }): Promise<unknown>;
  sendBatch(batch: {
    topicMessages: { topic: string; messages: OutgoingRecord[] }[];
    acks?: number;
  }): Promise<unknown>;
}

export interface GroupConsumerOptions {
  groupId: string;
  /** Only records of committed transactions (default true: exactly-once producers upstream). */
  readCommitted?: boolean;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * How long Kafka may keep failing (since the consumer last joined or fetched) before a
   * crashed consumer stops restarting and `failed` rejects. Default: restart forever.
   */
  giveUpAfterMs?: number;
  /** Partitions this member owns after each rebalance, by topic. */
  onAssigned?: (assignment: Readonly<Record<string, number[]>>) => void;
  /** Restarts after a crash are said here (default: stderr). */
  log?: (line: string) => void;
}

export interface GroupConsumer {
  connect(): Promise<void>;
  subscribe(topics: readonly string[], options: { fromBeginning: boolean }): Promise<void>;
  /** Starts fetching; one handler, per batch or per record. Resolves once running. */
  run(
    options: { autoCommit?: boolean } & (
      | {
          eachBatch: (context: BatchContext) => Promise<void>;
          /** Whether a batch handled without throwing counts as consumed (default true). */
          autoResolve?: boolean;
        }
      | { eachRecord: (context: RecordContext) => Promise<void> }
    ),
  ): Promise<void>;
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  disconnect(): Promise<void>;
  /** Rejects once, with the first error the consumer will not recover from. */
  readonly failed: Promise<never>;
}

export interface KafkaClient {
  /** The bootstrap servers, for messages. */
  readonly brokers: readonly string[];
  admin(): KafkaAdmin;
  producer(options?: ProducerOptions): KafkaProducer;
  consumer(options: GroupConsumerOptions): GroupConsumer;
}
