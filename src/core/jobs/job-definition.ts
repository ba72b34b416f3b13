/**
 * A job as every runtime uses it: a `defineJob` spec resolved once per process against its
 * schemas (./define-job.ts). Everything here is derived from the spec: the validator from the
 * event schema and the job's rules, the feature row's schema (given and checked, or derived),
 * topics, the generated accessors replay packs events and rows with, the compute wrapper that
 * fills the window bounds. A definition that cannot work fails here, naming the job and field.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  createProblemFinder,
  type EventVerdict,
  type FieldRule,
  type InvalidEvent,
} from '../models/event-validation.ts';
import type { WindowContext } from '../processors/window-context.ts';
import type { FeatureSpec, JobSpec, SampleEvent } from './define-job.ts';
import { definitionError } from './definition-error.ts';
import {
  type AvroRecordDefinition,
  eventRulesOf,
  recordFieldsOf,
  type WindowEventField,
  windowEventFieldsOf,
} from './event-rules-from-schema.ts';
import {
  compileFeatureRowNumbers,
  compileNewFeatureRow,
  compileWindowEventAccessors,
  type FeatureRowNumbers,
} from './generated-accessors.ts';
import { wrapCompute } from './window-compute.ts';

/** The Redis key family of an entity: `features:<entityType>:<id>`. */
export type EntityType = string;

/** What every feature row has, whatever its job. */
export interface WindowedFeatureRow {
  entity_id: string;
  window_start: number;
  window_end: number;
  [feature: string]: string | number;
}

export interface JobTopics {
  readonly events: string;
  readonly late: string;
  readonly deadLetter: string;
  readonly features: string;
}

export interface JobWindowDefaults {
  readonly size: string;
  readonly slide: string;
  readonly maxOutOfOrderness: string;
}

/** The windows of a job that says none. */
export const DEFAULT_JOB_WINDOW: JobWindowDefaults = Object.freeze({
  size: '5m',
  slide: '1m',
  maxOutOfOrderness: '5s',
});

/** The columns every feature row starts with, before the job's features. */
export const WINDOW_COLUMNS = Object.freeze([
  { name: 'entity_id', type: 'string' },
  { name: 'window_start', type: 'long' },
  { name: 'window_end', type: 'long' },
] as const);

export interface JobDefinition {
  readonly name: string;
  readonly doc: string;
  /** The UDF service's SQL name for the job's feature function. */
  readonly functionName: string;
  /** The Redis key family of the entity (`features:<entityType>:<id>`). */
  readonly entityType: EntityType;
  readonly entityField: string;
  readonly timeField: string;
  readonly topics: JobTopics;
  readonly eventSchema: AvroRecordDefinition;
  /** Where the event schema came from, for messages: a path, or `<job> eventSchema`. */
  readonly eventSchemaSource: string;
  readonly featureSchema: AvroRecordDefinition;
  readonly featureSchemaSource: string;
  readonly features: readonly FeatureSpec[];
  readonly featureNames: readonly string[];
  /** The event's fields in schema order, with what each must hold. */
  readonly fieldRules: readonly FieldRule[];
  /** The fields the feature function reads, as the UDF path and replay's window thread pass them. */
  readonly windowEventFields: readonly WindowEventField[];
  readonly windowDefaults: JobWindowDefaults;
  readonly dependsOnWindowBounds: boolean;
  /** The module the definition was loaded from (replay's window thread loads it again). */
  readonly module: string;
  validate(value: unknown): EventVerdict<object>;
  /** `validate` for the per-event path: the problem, or undefined (nothing allocated) if valid. */
  findProblem(value: unknown): InvalidEvent | undefined;
  entityOf(event: object): string;
  timeOf(event: object): number;
  windowEventFrom(values: readonly (number | string)[]): object;
  refillWindowEvent(event: object, values: readonly (number | string)[]): void;
  windowEventValues(event: object, into: (number | string)[]): void;
  /** Reads a row's numbers by name for replay's row packing. */
  readonly featureRowNumbers: FeatureRowNumbers;
  /** A row for `computeFeaturesInto`, its fields in schema order. */
  newFeatureRow(): WindowedFeatureRow;
  computeFeatures(events: readonly object[], window: WindowContext): WindowedFeatureRow;
  /** `computeFeatures`, writing every field of `row` (from `newFeatureRow`) and returning it. */
  computeFeaturesInto(
    events: readonly object[],
    window: WindowContext,
    row: WindowedFeatureRow,
  ): WindowedFeatureRow;
  /** The sample generator, if the job has one. */
  readonly sample: (() => SampleEvent<object>) | undefined;
  /** A valid event of entity `entityId` at `timestamp` that no feature looks at twice. */
  sentinelEvent(entityId: string, timestamp: number): Record<string, unknown>;
}

const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;
const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Resolves `spec`, exported by `module`: relative schema paths are read from the module's folder.
 */
export function resolveJob(spec: JobSpec, module: string, moduleFolder: string): JobDefinition {
  const name = typeof spec.name === 'string' ? spec.name : String(spec.name);
  if (!SNAKE_CASE.test(name)) {
    throw definitionError(
      name,
      `the name '${name}' is not snake_case (use lower-case letters, digits and _)`,
      { module },
    );
  }
  const job = name;
  if (typeof spec.compute !== 'function') {
    throw definitionError(
      job,
      `compute is ${typeof spec.compute}, not a function (compute(events, window, row) sets every feature of row)`,
    );
  }
  const entity = spec.entity as Partial<JobSpec['entity']> | undefined;
  if (
    !entity ||
    typeof entity.kind !== 'string' ||
    !SNAKE_CASE.test(entity.kind) ||
    typeof entity.field !== 'string'
  ) {
    throw definitionError(
      job,
      `entity must be { kind, field } with a snake_case kind (the Redis key family) and the event field holding the entity id: got ${JSON.stringify(entity)}`,
    );
  }
  const event = readSchema(job, spec.eventSchema, 'eventSchema', moduleFolder);
  const eventFields = recordFieldsOf(job, event.schema, event.source);
  const timeField = spec.timeField ?? 'timestamp';
  const fieldRules = eventRulesOf(job, eventFields, event.source, timeField, spec.rules ?? {});
  const entityRule = fieldRules.find((rule) => rule.name === entity.field);
  if (entityRule === undefined) {
    throw definitionError(
      job,
      `the entity field '${entity.field}' is not a field of the event schema ${event.source} (fields: ${fieldRules.map((r) => r.name).join(', ')})`,
      { field: entity.field },
    );
  }
  if (entityRule.rule.kind !== 'string') {
    throw definitionError(
      job,
      `the entity field '${entity.field}' must be a non-empty string in ${event.source}: its kind is ${entityRule.rule.kind}`,
      { field: entity.field },
    );
  }
  if (!Array.isArray(spec.reads)) {
    throw definitionError(job, 'reads must list the event fields compute reads');
  }
  const windowEventFields = windowEventFieldsOf(job, fieldRules, spec.reads, event.source);
  const features = checkFeatures(job, spec.features);
  const featureNames = Object.freeze(features.map((f) => f.name));
  const featureSchema =
    spec.featureSchema === undefined
      ? { schema: deriveFeatureSchema(job, features), source: `the features of job ${job}` }
      : readSchema(job, spec.featureSchema, 'featureSchema', moduleFolder);
  checkFeatureSchema(job, features, featureSchema.schema, featureSchema.source);
  const topics = topicsOf(job, spec.topics);
  const accessors = compileWindowEventAccessors(windowEventFields);
  const newFeatureRow = compileNewFeatureRow(featureNames) as () => WindowedFeatureRow;
  const computeFeaturesInto = wrapCompute(job, spec.compute);
  const findProblem = createProblemFinder(fieldRules);
  const entityOf = new Function('e', `return e[${JSON.stringify(entity.field)}];`) as (
    e: object,
  ) => string;
  const timeOf = new Function('e', `return e[${JSON.stringify(timeField)}];`) as (
    e: object,
  ) => number;
  const functionName = spec.functionName ?? `${job}_features`;
  if (!SNAKE_CASE.test(functionName)) {
    throw definitionError(job, `functionName '${functionName}' is not snake_case`);
  }
  return Object.freeze({
    name: job,
    doc: spec.doc ?? `The features of job ${job}, one row per window of one ${entity.kind}.`,
    functionName,
    entityType: entity.kind,
    entityField: entity.field,
    timeField,
    topics,
    eventSchema: event.schema,
    eventSchemaSource: event.source,
    featureSchema: featureSchema.schema,
    featureSchemaSource: featureSchema.source,
    features,
    featureNames,
    fieldRules,
    windowEventFields,
    windowDefaults: windowDefaultsOf(job, spec.window),
    dependsOnWindowBounds: spec.dependsOnWindowBounds !== false,
    module,
    validate: (value: unknown) =>
      findProblem(value) ?? { ok: true as const, event: value as object },
    findProblem,
    entityOf,
    timeOf,
    ...accessors,
    featureRowNumbers: compileFeatureRowNumbers(featureNames),
    newFeatureRow,
    computeFeatures: (events: readonly object[], window: WindowContext) =>
      computeFeaturesInto(events, window, newFeatureRow()),
    computeFeaturesInto,
    sample: spec.sample as (() => SampleEvent<object>) | undefined,
    sentinelEvent: (entityId: string, timestamp: number) =>
      sentinelOf(fieldRules, entity.field as string, timeField, entityId, timestamp),
  });
}

function readSchema(
  job: string,
  given: unknown,
  what: string,
  moduleFolder: string,
): { schema: AvroRecordDefinition; source: string } {
  if (typeof given === 'string') {
    const path = isAbsolute(given) ? given : resolve(moduleFolder, given);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw definitionError(
        job,
        `${what} ${path} cannot be read: ${(error as Error).message} (paths are relative to the definitions module)`,
        { path },
        error,
      );
    }
    try {
      return { schema: JSON.parse(text) as AvroRecordDefinition, source: given };
    } catch (error) {
      throw definitionError(
        job,
        `${what} ${path} is not JSON: ${(error as Error).message}`,
        { path },
        error,
      );
    }
  }
  if (typeof given === 'object' && given !== null) {
    return { schema: given as AvroRecordDefinition, source: `the ${what} of job ${job}` };
  }
  throw definitionError(
    job,
    `${what} must be a path to an .avsc file or an Avro record schema: got ${typeof given}`,
  );
}

function checkFeatures(job: string, given: unknown): readonly FeatureSpec[] {
  if (!Array.isArray(given) || given.length === 0) {
    throw definitionError(job, 'features must list at least one { name, type } feature');
  }
  const seen = new Set<string>(WINDOW_COLUMNS.map((c) => c.name));
  return Object.freeze(
    given.map((feature: Partial<FeatureSpec>) => {
      const name = feature?.name;
      if (typeof name !== 'string' || !AVRO_NAME.test(name)) {
        throw definitionError(
          job,
          `feature name ${JSON.stringify(name)} is not an Avro name (letters, digits and _, not starting with a digit)`,
        );
      }
      if (seen.has(name)) {
        throw definitionError(
          job,
          `feature '${name}' is declared twice or clashes with a window column`,
          { field: name },
        );
      }
      seen.add(name);
      if (feature.type !== 'long' && feature.type !== 'double') {
        throw definitionError(
          job,
          `feature '${name}' has type ${JSON.stringify(feature.type)} (features are 'long' or 'double')`,
          { field: name },
        );
      }
      return Object.freeze({ ...feature, name, type: feature.type }) as FeatureSpec;
    }),
  );
}

function deriveFeatureSchema(job: string, features: readonly FeatureSpec[]): AvroRecordDefinition {
  const recordName = `${job.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Features`;
  return Object.freeze({
    type: 'record',
    name: recordName,
    namespace: 'featureflow.features',
    fields: [
      ...WINDOW_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      ...features.map((f) => ({ name: f.name, type: f.type, ...(f.doc ? { doc: f.doc } : {}) })),
    ],
  }) as AvroRecordDefinition;
}

function checkFeatureSchema(
  job: string,
  features: readonly FeatureSpec[],
  schema: AvroRecordDefinition,
  source: string,
): void {
  const fields = recordFieldsOf(job, schema, source);
  const expected = [...WINDOW_COLUMNS, ...features];
  const typeName = (type: unknown) => (typeof type === 'string' ? type : JSON.stringify(type));
  for (let i = 0; i < Math.max(fields.length, expected.length); i++) {
    const field = fields[i];
    const want = expected[i];
    if (want === undefined) {
      throw definitionError(
        job,
        `the feature schema ${source} has field '${field!.name}' that the definition does not declare (add it to features, in this order)`,
        { field: field!.name },
      );
    }
    if (field === undefined || field.name !== want.name) {
      throw definitionError(
        job,
        `feature '${want.name}' is not field ${i + 1} of the feature schema ${source} (its fields: ${fields.map((f) => f.name).join(', ')}; the order must match)`,
        { field: want.name },
      );
    }
    if (typeName(field.type) !== want.type) {
      throw definitionError(
        job,
        `feature '${want.name}' is declared ${want.type} but the feature schema ${source} says ${typeName(field.type)}`,
        { field: want.name },
      );
    }
  }
}

function topicsOf(job: string, given: JobSpec['topics']): JobTopics {
  const events = given?.events ?? `${job}.events`;
  const features = given?.features ?? `features.${job}`;
  for (const topic of [events, features]) {
    if (!TOPIC_NAME.test(topic)) {
      throw definitionError(
        job,
        `topic '${topic}' is not a Kafka topic name (letters, digits, '.', '_' and '-')`,
      );
    }
  }
  return Object.freeze({ events, late: `${events}.late`, deadLetter: `${events}.dlq`, features });
}

function windowDefaultsOf(job: string, given: JobSpec['window']): JobWindowDefaults {
  const window = { ...DEFAULT_JOB_WINDOW, ...(given ?? {}) };
  for (const [key, value] of Object.entries(window)) {
    if (typeof value !== 'string') {
      throw definitionError(
        job,
        `window.${key} must be a duration such as '5m': got ${JSON.stringify(value)}`,
      );
    }
  }
  return Object.freeze(window);
}

function sentinelOf(
  rules: readonly FieldRule[],
  entityField: string,
  timeField: string,
  entityId: string,
  timestamp: number,
): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const { name, rule, constraint } of rules) {
    if (name === entityField) event[name] = entityId;
    else if (name === timeField) event[name] = timestamp;
    else if (rule.kind === 'string') event[name] = 'X'.repeat(constraint?.length ?? 5);
    else if (rule.kind === 'enum') event[name] = [...rule.symbols][0];
    else if (rule.kind === 'optional_string') event[name] = null;
    else if (rule.kind === 'boolean') event[name] = false;
    else event[name] = 0;
  }
  return event;
}
