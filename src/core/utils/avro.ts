/**
 * Avro encoding of events and feature rows on Kafka (docs/topics.md).
 *
 * Raw messages use the "wire" form of a schema: the schema Flink's `avro` format derives from
 * the table DDL. It equals schemas/*.avsc except that enums become strings, because Flink SQL
 * has no enum type (its STRING column is an Avro string). Decoding gives the same JavaScript
 * value either way (avsc reads an enum as its symbol), and the validators check the symbols.
 * Confluent-framed messages (magic byte 0, 4-byte schema id) are decoded with the writer schema
 * that the schema directory holds for the id.
 */
import avro from 'avsc';
import { FeatureflowError } from '../errors.ts';
import type { JobRegistry } from '../jobs/job-registry.ts';
import { builtInJobRegistry } from '../jobs/load-definitions.ts';
import type { InvalidEvent } from '../models/event-validation.ts';
import { type AvroType, SchemaDirectory } from './schema-directory.ts';

const CONFLUENT_MAGIC_BYTE = 0;
const CONFLUENT_HEADER_BYTES = 5;

/** The Flink-DDL form of a schema: enums as strings, everything else as declared. */
export function toWireSchema(schema: avro.Schema): avro.Schema {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(toWireSchema) as avro.Schema;
  const definition = schema as { type: string; fields?: { type: avro.Schema }[] };
  if (definition.type === 'enum') return 'string';
  if (definition.type === 'record' && definition.fields) {
    return {
      ...definition,
      fields: definition.fields.map((field) => ({ ...field, type: toWireSchema(field.type) })),
    } as avro.Schema;
  }
  return schema;
}

export function wireTypeOf(directory: SchemaDirectory, schemaFile: string): AvroType {
  return avro.Type.forSchema(toWireSchema(directory.definitionOfFile(schemaFile)));
}

/** The wire type of a schema a job definition holds (its events or its feature rows). */
export function wireTypeOfSchema(schema: object): AvroType {
  return avro.Type.forSchema(toWireSchema(schema as avro.Schema));
}

export interface AvroSerializerOptions {
  /** Write Confluent framing with this schema id instead of raw Avro. */
  confluentSchemaId?: number;
}

export class AvroSerializer<T> {
  private readonly header: Buffer | undefined;

  constructor(
    private readonly type: AvroType,
    options: AvroSerializerOptions = {},
  ) {
    if (options.confluentSchemaId !== undefined) {
      this.header = Buffer.alloc(CONFLUENT_HEADER_BYTES);
      this.header.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
      this.header.writeUInt32BE(options.confluentSchemaId, 1);
    }
  }

  /** Throws if `value` does not fit the schema; validate events first. */
  serialize(value: T): Buffer {
    const body = this.type.toBuffer(value);
    return this.header ? Buffer.concat([this.header, body]) : body;
  }

  /** For a topic of a registered job: its wire schema, raw. */
  static forTopic<T>(topic: string, jobs: JobRegistry = builtInJobRegistry()): AvroSerializer<T> {
    return new AvroSerializer<T>(wireTypeOfSchema(requireSchema(topic, jobs)));
  }
}

export type DecodeResult = { ok: true; value: unknown } | InvalidEvent;

export class AvroDeserializer {
  private readonly rawTypeByTopic = new Map<string, AvroType | null>();

  constructor(
    private readonly directory: SchemaDirectory = new SchemaDirectory(),
    private readonly jobs: JobRegistry = builtInJobRegistry(),
  ) {}

  /**
   * Decodes one Kafka message value. Never throws: bad bytes give a `decode_failed` result
   * whose message says what is wrong, for the dead letter.
   */
  deserializeMessage(
    topic: string,
    bytes: Buffer | Uint8Array | null,
    /** The featureflow topic whose schema `topic` carries, when its name is another one. */
    schemaTopic: string = topic,
  ): DecodeResult {
    if (bytes === null || bytes.length === 0) {
      return failure(`message on ${topic} has no value (expected Avro bytes)`);
    }
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    // A raw record of ours never starts with byte 0: that would be an empty first string, which
    // no valid event or feature row has. So byte 0 means Confluent framing.
    if (buffer[0] === CONFLUENT_MAGIC_BYTE) {
      if (buffer.length < CONFLUENT_HEADER_BYTES) {
        return failure(
          `message on ${topic} is ${buffer.length} bytes, too short for Confluent framing (magic byte + 4-byte schema id)`,
        );
      }
      const schemaId = buffer.readUInt32BE(1);
      const type = this.directory.typeOfId(schemaId);
      if (type === undefined) {
        return failure(
          `message on ${topic} names schema id ${schemaId}, which the schema directory ${this.directory.dir} does not hold (add it to schema-ids.json)`,
        );
      }
      return decodeExactly(type, buffer, CONFLUENT_HEADER_BYTES, topic);
    }
    const type = this.rawTypeOf(schemaTopic);
    if (type === null) {
      return failure(
        `topic ${topic} has no known schema (the jobs' topics: ${this.jobs.topics.join(', ')})`,
      );
    }
    return decodeExactly(type, buffer, 0, topic);
  }

  private rawTypeOf(topic: string): AvroType | null {
    let type = this.rawTypeByTopic.get(topic);
    if (type === undefined) {
      const schema = this.jobs.schemaOfTopic(topic);
      type = schema === undefined ? null : wireTypeOfSchema(schema);
      this.rawTypeByTopic.set(topic, type);
    }
    return type;
  }
}

function decodeExactly(
  type: AvroType,
  buffer: Buffer,
  offset: number,
  topic: string,
): DecodeResult {
  try {
    const result = type.decode(buffer, offset);
    if (result.offset < 0) {
      return failure(
        `message on ${topic} is truncated: ${buffer.length} bytes end inside a ${type.name ?? 'record'}`,
      );
    }
    if (result.offset !== buffer.length) {
      return failure(
        `message on ${topic} has ${buffer.length - result.offset} bytes after the ${type.name ?? 'record'} (wrong schema?)`,
      );
    }
    return { ok: true, value: result.value };
  } catch (error) {
    return failure(
      `message on ${topic} is not a valid ${type.name ?? 'record'}: ${(error as Error).message}`,
    );
  }
}

function failure(message: string): InvalidEvent {
  return { ok: false, reason: 'decode_failed', message };
}

function requireSchema(topic: string, jobs: JobRegistry): object {
  const schema = jobs.schemaOfTopic(topic);
  if (schema === undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `topic ${topic} has no known schema (the jobs' topics: ${jobs.topics.join(', ')})`,
      { context: { topic } },
    );
  }
  return schema;
}
