/**
 * The schemas of `schemas/`, parsed once per process: by file name and by Confluent schema id
 * (schemas/schema-ids.json). Which schema a topic carries is the jobs' to say (JobRegistry).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { FeatureflowError } from '../errors.ts';

export type AvroType = avro.Type;

/** The repository's schemas/ folder, wherever the process was started from. */
export const DEFAULT_SCHEMA_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'schemas',
);

export class SchemaDirectory {
  private readonly byFile = new Map<string, AvroType>();
  private readonly definitions = new Map<string, avro.Schema>();
  private readonly byId = new Map<number, AvroType>();

  constructor(readonly dir: string = DEFAULT_SCHEMA_DIR) {
    const idsPath = join(dir, 'schema-ids.json');
    const ids = readJson(idsPath) as { ids?: Record<string, string> };
    for (const [id, file] of Object.entries(ids.ids ?? {})) {
      this.byId.set(Number(id), this.typeOfFile(file));
    }
  }

  /** The parsed schema definition (JSON) of a file in the directory. */
  definitionOfFile(file: string): avro.Schema {
    this.typeOfFile(file);
    return this.definitions.get(file)!;
  }

  typeOfFile(file: string): AvroType {
    let type = this.byFile.get(file);
    if (type === undefined) {
      const definition = readJson(join(this.dir, file)) as avro.Schema;
      type = avro.Type.forSchema(definition);
      this.byFile.set(file, type);
      this.definitions.set(file, definition);
    }
    return type;
  }

  typeOfId(id: number): AvroType | undefined {
    return this.byId.get(id);
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FeatureflowError(
      'io_failed',
      `cannot read schema file ${path}: ${(error as Error).message} (is the schema folder complete?)`,
      { cause: error, context: { path } },
    );
  }
}
