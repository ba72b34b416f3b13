// schemas/*.avsc is the one source of truth for fields: the zod models must match it field by
// field, in order, type by type.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CHANNELS,
  CLICK_EVENT_TYPES,
  ClickEventSchema,
  TransactionEventSchema,
} from '../../src/core/models/events.ts';
import {
  ClickstreamFeaturesSchema,
  TransactionFeaturesSchema,
} from '../../src/core/models/features.ts';
import { SchemaDirectory } from '../../src/core/utils/schema-directory.ts';

interface AvroField {
  name: string;
  type: unknown;
}

/** The zod type family an Avro field type must map to. */
function expectedZodType(avroType: unknown): string {
  if (Array.isArray(avroType))
    return `nullable:${expectedZodType(avroType.find((t) => t !== 'null'))}`;
  if (typeof avroType === 'object' && avroType !== null) {
    const t = avroType as { type: string; symbols?: string[] };
    if (t.type === 'enum') return `enum:${t.symbols!.join(',')}`;
    return expectedZodType(t.type);
  }
  if (avroType === 'string') return 'string';
  if (avroType === 'double' || avroType === 'long' || avroType === 'int') return 'number';
  throw new Error(`unexpected Avro type ${JSON.stringify(avroType)}`);
}

function zodTypeOf(schema: z.ZodType): string {
  const def = (
    schema as unknown as {
      def: { type: string; innerType?: z.ZodType; entries?: Record<string, string> };
    }
  ).def;
  if (def.type === 'optional' || def.type === 'nullable') {
    const inner = zodTypeOf(def.innerType!);
    return inner.startsWith('nullable:') ? inner : `nullable:${inner}`;
  }
  if (def.type === 'enum') return `enum:${Object.values(def.entries!).join(',')}`;
  return def.type;
}

const directory = new SchemaDirectory();

describe.each([
  ['transaction_event.avsc', TransactionEventSchema],
  ['click_event.avsc', ClickEventSchema],
  ['transaction_features.avsc', TransactionFeaturesSchema],
  ['clickstream_features.avsc', ClickstreamFeaturesSchema],
] as const)('%s and its zod model', (file, model) => {
  const fields = (directory.definitionOfFile(file) as unknown as { fields: AvroField[] }).fields;

  it('have the same fields in the same order', () => {
    expect(Object.keys(model.shape)).toEqual(fields.map((f) => f.name));
  });

  it('have the same type for every field', () => {
    for (const field of fields) {
      const zodField = (model.shape as Record<string, z.ZodType>)[field.name]!;
      expect(`${field.name}: ${zodTypeOf(zodField)}`).toBe(
        `${field.name}: ${expectedZodType(field.type)}`,
      );
    }
  });
});

describe('enum symbols', () => {
  it('match DESIGN section 3', () => {
    expect(CHANNELS).toEqual(['online', 'pos', 'atm']);
    expect(CLICK_EVENT_TYPES).toEqual(['page_view', 'click', 'add_to_cart', 'purchase', 'search']);
  });

  it('only referrer is nullable', () => {
    for (const file of [
      'transaction_event.avsc',
      'click_event.avsc',
      'transaction_features.avsc',
      'clickstream_features.avsc',
    ]) {
      const fields = (directory.definitionOfFile(file) as unknown as { fields: AvroField[] })
        .fields;
      const nullable = fields.filter((f) => Array.isArray(f.type)).map((f) => f.name);
      expect(nullable).toEqual(file === 'click_event.avsc' ? ['referrer'] : []);
    }
  });
});
