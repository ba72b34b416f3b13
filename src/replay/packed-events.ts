/**
 * Valid events packed for the window thread (./window-thread.ts): per event its time, its
 * entity id, and the fields the feature function reads (`JobDefinition.windowEventFields`,
 * booleans as 1 and 0),
 * nothing else, as numbers in one Float64Array that moves to the other thread without a copy.
 * A Float64Array keeps every number bit for bit, so the window thread computes on the very
 * values parsed here.
 *
 * Strings (entity ids, merchants, pages...) travel as indices into a dictionary both threads
 * keep, each new string once: they repeat a lot, and on the window thread equal values are then
 * one string object, which the engine's lookups and the distinct counts compare by reference
 * (measured against sending every string: a fifth less CPU on the window thread, a tenth less
 * on the reading thread). The dictionary starts over when it grows past a limit, so memory
 * stays bounded whatever the number of distinct values.
 */
import { FeatureflowError } from '../core/errors.ts';
import type { JobDefinition } from '../core/jobs/job-definition.ts';
import type { EventLineScanner } from './event-line-scanner.ts';
import { RecycledBuffers } from './recycled-buffers.ts';
import { createStringIndexes, type StringIndexing } from './string-indexes.ts';

/**
 * What the two sides need of a job: the fields of a window event, and how to build one; and
 * where the entity id and those fields are among the event's fields, for scanned lines.
 */
export type WindowEventShape = Pick<
  JobDefinition,
  | 'windowEventFields'
  | 'windowEventFrom'
  | 'refillWindowEvent'
  | 'windowEventValues'
  | 'fieldRules'
  | 'entityField'
>;

/** What the window thread's side needs: the fields and how to build a window event. */
export type WindowEventBuilder = Pick<
  WindowEventShape,
  'windowEventFields' | 'windowEventFrom' | 'refillWindowEvent'
>;

const MAX_DICTIONARY_STRINGS = 1 << 16;
const INITIAL_DICTIONARY_STRINGS = 1 << 10;

export interface PackedEvents {
  count: number;
  /** Per event: time, entity id index, then per field the number or the string's index. */
  values: Float64Array;
  /** The strings first used in this batch, in the order of their indices. */
  newStrings: string[];
  /** The dictionary was emptied before this batch: its indices start from 0 again. */
  restartsDictionary: boolean;
}

/** The reading thread's side: packs events into batches of up to `capacity`. */
export class EventPacker {
  private readonly windowEventValues: WindowEventShape['windowEventValues'];
  /** Scratch: the current event's field values. */
  private readonly fieldValues: (number | string)[];
  private readonly isString: readonly boolean[];
  private readonly width: number;
  private readonly dictionary: StringIndexing;
  private readonly buffers: RecycledBuffers;
  private batch: PackedEvents;
  /** For scanned lines: the position among the event's fields of the entity id, of each field. */
  private readonly entityRule: number;
  private readonly fieldRules: readonly number[];
  private readonly addNewString = (value: string) => {
    this.batch.newStrings.push(value);
  };

  constructor(
    shape: WindowEventShape,
    private readonly capacity: number,
    private readonly maxDictionaryStrings = MAX_DICTIONARY_STRINGS,
  ) {
    const fields = shape.windowEventFields;
    this.windowEventValues = shape.windowEventValues;
    this.fieldValues = fields.map(() => 0);
    this.isString = fields.map((field) => field.kind === 'string');
    this.width = 2 + fields.length;
    // Small at first: it grows itself as strings come. Sized for the most it may hold (64K
    // strings, a 512 KiB table), each lookup was a cache miss into it even with a few thousand.
    this.dictionary = createStringIndexes(INITIAL_DICTIONARY_STRINGS);
    this.buffers = new RecycledBuffers(capacity * this.width);
    this.batch = this.emptyBatch();
    const ruleOf = (name: string) => {
      const index = shape.fieldRules.findIndex((rule) => rule.name === name);
      if (index < 0) {
        throw new FeatureflowError(
          'internal',
          `the window event field ${name} is not a field of the event (a bug: please report it)`,
        );
      }
      return index;
    };
    this.entityRule = ruleOf(shape.entityField);
    this.fieldRules = fields.map((field) => ruleOf(field.name));
  }

  /** Takes back the buffer of a batch the window thread is done with. */
  recycle(buffer: ArrayBuffer): void {
    this.buffers.give(buffer);
  }

  get count(): number {
    return this.batch.count;
  }

  get isFull(): boolean {
    return this.batch.count === this.capacity;
  }

  /** Adds a valid event (its fields have their declared kinds); call `take` first when full. */
  add(event: object, entityId: string, time: number): void {
    const { values } = this.batch;
    let offset = this.batch.count++ * this.width;
    values[offset++] = time;
    values[offset++] = this.indexOf(entityId);
    const { fieldValues, isString } = this;
    this.windowEventValues(event, fieldValues);
    for (let i = 0; i < fieldValues.length; i++) {
      const value = fieldValues[i]!;
      values[offset++] = isString[i] ? this.indexOf(value as string) : (value as number);
    }
  }

  /**
   * Adds the valid event `scanner` has just read from a line: the same numbers `add` packs for
   * the parsed event, with strings looked up from the line without cutting them out.
   */
  addScanned(scanner: EventLineScanner, time: number): void {
    const { values } = this.batch;
    const { text, starts, ends, numbers } = scanner;
    let offset = this.batch.count++ * this.width;
    values[offset++] = time;
    const entity = this.entityRule;
    values[offset++] = this.dictionary.indexOfRange(
      text,
      starts[entity]!,
      ends[entity]!,
      this.addNewString,
    );
    const { fieldRules, isString } = this;
    for (let i = 0; i < fieldRules.length; i++) {
      const rule = fieldRules[i]!;
      values[offset++] = isString[i]
        ? this.dictionary.indexOfRange(text, starts[rule]!, ends[rule]!, this.addNewString)
        : numbers[rule]!;
    }
  }

  take(): PackedEvents {
    const batch = this.batch;
    let restarts = false;
    if (this.dictionary.size > this.maxDictionaryStrings) {
      this.dictionary.clear();
      restarts = true;
    }
    this.batch = this.emptyBatch(restarts);
    return batch;
  }

  private indexOf(value: string): number {
    return this.dictionary.indexOfRange(value, 0, value.length, this.addNewString);
  }

  private emptyBatch(restartsDictionary = false): PackedEvents {
    return {
      count: 0,
      values: this.buffers.take(),
      newStrings: [],
      restartsDictionary,
    };
  }
}

/**
 * The window thread's side: steps through a batch; after each `next()` the current event's
 * time, entity id and window event (an object with exactly the declared fields) are at hand.
 * Window events the engine has released come back through `release` and are filled again:
 * a window event lives for minutes of event time, long enough to be copied twice by the
 * young generation's collector, so a new one per event was dear garbage.
 */
export class PackedEventReader {
  private readonly windowEventFrom: WindowEventBuilder['windowEventFrom'];
  private readonly refillWindowEvent: WindowEventBuilder['refillWindowEvent'];
  /** Released window events, the first `releasedCount` of them, reused last in first out. */
  private readonly released: object[] = [];
  private releasedCount = 0;
  private readonly isString: readonly boolean[];
  private readonly width: number;
  private readonly fieldValues: (number | string)[];
  private readonly dictionary: string[] = [];
  private values: Float64Array = new Float64Array(0);
  private count = 0;
  private index = -1;
  time = 0;
  entityId = '';

  constructor(shape: WindowEventBuilder) {
    const fields = shape.windowEventFields;
    this.isString = fields.map((field) => field.kind === 'string');
    this.width = 2 + fields.length;
    this.fieldValues = fields.map(() => 0);
    this.windowEventFrom = shape.windowEventFrom;
    this.refillWindowEvent = shape.refillWindowEvent;
  }

  load(batch: PackedEvents): void {
    const dictionary = this.dictionary;
    if (batch.restartsDictionary) dictionary.length = 0;
    for (const value of batch.newStrings) dictionary.push(value);
    this.values = batch.values;
    this.count = batch.count;
    this.index = -1;
  }

  /** Moves to the next event; false at the end of the batch. */
  next(): boolean {
    if (++this.index >= this.count) return false;
    const { values, dictionary, isString, fieldValues } = this;
    let offset = this.index * this.width;
    this.time = values[offset++]!;
    this.entityId = dictionary[values[offset++]!]!;
    for (let i = 0; i < isString.length; i++) {
      const value = values[offset++]!;
      fieldValues[i] = isString[i] ? dictionary[value]! : value;
    }
    return true;
  }

  /**
   * The current event as the feature function reads it, an object with the fields in order: a
   * released one filled again, or a new one.
   */
  windowEvent(): object {
    if (this.releasedCount === 0) return this.windowEventFrom(this.fieldValues);
    const event = this.released[--this.releasedCount]!;
    this.refillWindowEvent(event, this.fieldValues);
    return event;
  }

  /** Takes back a window event no window holds any more (the engine's `onEventReleased`). */
  release(event: object): void {
    this.released[this.releasedCount++] = event;
  }
}
