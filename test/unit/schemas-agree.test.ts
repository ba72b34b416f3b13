// schemas/*.avsc is the one source of truth for the built-in jobs' fields: each job's definition
// is checked against its schemas when it loads (a disagreement fails the load, naming the job and
// field), every schema there belongs to a job, and the enums and nullable fields are those of
// the event types.
import { describe, expect, it } from 'vitest';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';
import { BUILT_IN } from '../support/job-events.ts';

interface AvroField {
  name: string;
  type: unknown;
}

const directory = new SchemaDirectory();
const SCHEMA_FILES = [
  'transaction_event.avsc',
  'click_event.avsc',
  'transaction_features.avsc',
  'clickstream_features.avsc',
];

describe('schemas/ and the built-in jobs', () => {
  it('every schema file is the event or feature schema of a job', () => {
    const schemas = BUILT_IN.jobs.flatMap((job) => [job.eventSchema, job.featureSchema]);
    for (const file of SCHEMA_FILES) {
      expect(schemas, file).toContainEqual(directory.definitionOfFile(file));
    }
  });

  it('each job reads its feature row schema in the order of its features', () => {
    for (const job of BUILT_IN.jobs) {
      expect(job.featureSchema.fields.map((f) => f.name)).toEqual([
        'entity_id',
        'window_start',
        'window_end',
        ...job.featureNames,
      ]);
    }
  });

  it('the enums hold the symbols of the event types', () => {
    const symbolsOf = (file: string, field: string) =>
      (
        (directory.definitionOfFile(file) as unknown as { fields: AvroField[] }).fields.find(
          (f) => f.name === field,
        )!.type as { symbols: string[] }
      ).symbols;
    expect(symbolsOf('transaction_event.avsc', 'channel')).toEqual(['online', 'pos', 'atm']);
    expect(symbolsOf('click_event.avsc', 'event_type')).toEqual([
      'page_view',
      'click',
      'add_to_cart',
      'purchase',
      'search',
    ]);
  });

  it('only referrer is nullable', () => {
    for (const file of SCHEMA_FILES) {
      const fields = (directory.definitionOfFile(file) as unknown as { fields: AvroField[] })
        .fields;
      const nullable = fields.filter((f) => Array.isArray(f.type)).map((f) => f.name);
      expect(nullable).toEqual(file === 'click_event.avsc' ? ['referrer'] : []);
    }
  });
});
