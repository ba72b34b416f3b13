// Every Flink SQL table on a featureflow topic declares exactly the fields of its schema in
// schemas/*.avsc: same names, same order, same types, NOT NULL where the schema has no union.
// Flink's `avro` format derives the wire schema from these columns, so any drift breaks decoding.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillPlaceholders, splitSqlStatements, stripComments } from '../../src/flink/sql-script.ts';
import { BUILT_IN } from '../support/job-events.ts';

const SQL_DIR = new URL('../../flink-sql/', import.meta.url).pathname;

interface Column {
  name: string;
  type: string;
}

/** The physical columns of a CREATE TABLE (computed columns and the watermark excluded). */
function physicalColumns(statement: string): Column[] {
  const body = statement.slice(statement.indexOf('(') + 1, statement.search(/\)\s*WITH\s*\(/i));
  return body
    .split(/,\s*\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^WATERMARK\b/i.test(line) && !/\bAS\b/i.test(line))
    .map((line) => {
      const match = /^`?(\w+)`?\s+(.+?),?$/.exec(line)!;
      return { name: match[1]!, type: match[2]!.toUpperCase() };
    });
}

function expectedType(avroType: unknown): string {
  if (Array.isArray(avroType))
    return expectedType(avroType.find((t) => t !== 'null')).replace(' NOT NULL', '');
  if (typeof avroType === 'object' && avroType !== null) {
    const t = avroType as { type: string };
    return t.type === 'enum' ? 'STRING NOT NULL' : expectedType(t.type);
  }
  const map: Record<string, string> = { string: 'STRING', double: 'DOUBLE', long: 'BIGINT' };
  return `${map[avroType as string]} NOT NULL`;
}

const tables = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql'))
  .flatMap((file) =>
    splitSqlStatements(readFileSync(join(SQL_DIR, file), 'utf8'))
      .map((s) => stripComments(s.text))
      .filter((s) => /^\s*CREATE\s+(TEMPORARY\s+)?TABLE/i.test(s))
      .map((statement) => ({
        file,
        table: /TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)/i.exec(statement)![1]!,
        topic: /'topic'\s*=\s*'([^']+)'/.exec(
          fillPlaceholders(statement, { KAFKA_BROKERS: 'b', UDF_ADDRESS: 'u' }, {}),
        )?.[1],
        statement,
      })),
  )
  .filter((t) => t.topic !== undefined && BUILT_IN.schemaOfTopic(t.topic) !== undefined);

describe('Flink SQL tables agree with schemas/*.avsc', () => {
  it('the SQL folder has tables on featureflow topics', () => {
    expect(tables.length).toBeGreaterThanOrEqual(3);
  });

  it.each(tables.map((t) => [`${t.file} ${t.table} (${t.topic})`, t] as const))(
    '%s',
    (_name, table) => {
      const { fields } = BUILT_IN.schemaOfTopic(table.topic!)!;
      expect(physicalColumns(table.statement)).toEqual(
        fields.map((f) => ({ name: f.name, type: expectedType(f.type) })),
      );
    },
  );
});

/** The output column names of an INSERT's outer SELECT, in order (alias, or the bare column). */
function selectedNames(insert: string): string[] {
  const start = /\bSELECT\b/i.exec(insert)!.index + 'SELECT'.length;
  const items: string[] = [];
  let depth = 0;
  let item = '';
  for (let i = start; i < insert.length; i++) {
    const c = insert[i]!;
    if (depth === 0 && /\bFROM\b/iy.test(insert.slice(i, i + 5)) && /\s/.test(insert[i - 1]!))
      break;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      items.push(item);
      item = '';
    } else item += c;
  }
  items.push(item);
  return items.map((text) => {
    const name = /(?:\bAS\s+|\.|^\s*)`?(\w+)`?\s*$/i.exec(text)![1]!;
    return name;
  });
}

const inserts = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql'))
  .flatMap((file) => {
    const statements = splitSqlStatements(readFileSync(join(SQL_DIR, file), 'utf8')).map((s) =>
      stripComments(s.text),
    );
    const columnsOf = new Map(
      statements
        .filter((s) => /^\s*CREATE\s+(TEMPORARY\s+)?TABLE/i.test(s))
        .map((s) => [/TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)/i.exec(s)![1]!, physicalColumns(s)]),
    );
    return statements
      .flatMap((s) => s.split(/(?=\bINSERT\s+INTO\b)/i).filter((p) => /^\s*INSERT/i.test(p)))
      .map((insert) => {
        const table = /INSERT\s+INTO\s+(\w+)/i.exec(insert)![1]!;
        return { file, table, insert, columns: columnsOf.get(table)!.map((c) => c.name) };
      });
  });

describe("Flink SQL INSERTs select their table's columns in its order", () => {
  it('the SQL folder has INSERTs', () => {
    expect(inserts.length).toBeGreaterThanOrEqual(4);
  });

  it.each(inserts.map((i) => [`${i.file} INSERT INTO ${i.table}`, i] as const))(
    '%s',
    (_name, { insert, columns }) => {
      expect(selectedNames(insert)).toEqual(columns);
    },
  );
});
