/**
 * Replay's fast path for an NDJSON line that is a valid event written the usual way: its fields
 * in the order of docs/events.md, nothing else, no escapes, plain numbers, with or without
 * whitespace between the tokens. `featureflow generate` and JSON.stringify of a decoded event
 * write it without whitespace, Python's json.dumps with a space after each comma and colon.
 * Such a line is matched against one regular expression and its values read in place,
 * with no JSON.parse and no object: JSON.parse built an object of ten strings per event, which
 * was most of the reading thread's time and garbage (measured on generated transactions: 0.27
 * against 1.3 us a line).
 *
 * `scan` says true only when JSON.parse of the line would give an object with exactly these
 * fields, each value what the scan found, and the event's rules (../core/models/event-validation.ts)
 * would all pass. Anything else, however harmless (an escape, a field out of order, an
 * exponent), says false, and the caller takes the general path: JSON.parse, then validation,
 * which also finds the reason of an invalid line. test/unit/replay/event-line-scanner.test.ts holds the two
 * paths to the same verdicts and values.
 *
 * It pays: bench/replay-throughput.ts turns it off (line-scanner, ./fast-paths.ts) and prints
 * its share.
 *
 * Booleans are read as 1 and 0 into `numbers`, as replay packs them.
 *
 * Numbers: a plain decimal of at most 15 digits, m digits in all with k after the point, is
 * exactly the integer m divided by 10^k: both are exact doubles (below 2^53 and 10^22), and
 * one IEEE division rounds correctly, as JSON.parse does, so the value is bit for bit the same.
 */
import type { FieldRule } from '../core/models/event-validation.ts';

const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const MINUS = 0x2d;
const POINT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** More digits than this may not be exact as an integer double: the general path takes them. */
const MAX_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_DIGITS + 1 }, (_, k) => 10 ** k);

/** A JSON string with no escape (no backslash, no control character: JSON.parse refuses those). */
const PLAIN_CHARACTER = '[^"\\\\\\x00-\\x1f]';
/** A JSON number without an exponent. */
const PLAIN_NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?';
const WHOLE_NUMBER = '(?:0|[1-9]\\d*)';
/** What JSON allows between tokens. */
const WHITESPACE = '[ \\t\\n\\r]*';

interface ScannedField {
  /** The length of `"name"`. */
  readonly keyLength: number;
  readonly isNumber: boolean;
  readonly isBoolean: boolean;
  readonly mayBeNull: boolean;
  /** The job's bound on the number's magnitude (Infinity: none). */
  readonly maxAbs: number;
}

const LOWER_T = 0x74;

export class EventLineScanner {
  /**
   * The whole usual form as one regular expression, each field's rule included (non-empty,
   * three characters, one of the symbols...). V8 compiles it to machine code: testing a line
   * is about a tenth of JSON.parse, and a loop over the characters in JavaScript was not
   * much faster than JSON.parse. Once it matches, the values are found by position.
   */
  private readonly usualForm: RegExp;
  private readonly fields: readonly ScannedField[];
  /** The line of the last successful scan. */
  text = '';
  /** Per field of the rules: where a string value starts and ends in `text` (-1: null). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Per field of the rules: a number value. */
  readonly numbers: Float64Array;

  constructor(rules: readonly FieldRule[]) {
    const keys = rules.map((field) => JSON.stringify(field.name));
    const members = rules.map(
      (field, index) =>
        `${escapeForPattern(keys[index]!)}${WHITESPACE}:${WHITESPACE}${valuePattern(field)}`,
    );
    this.usualForm = new RegExp(
      `^${WHITESPACE}\\{${WHITESPACE}${members.join(`${WHITESPACE},${WHITESPACE}`)}${WHITESPACE}\\}${WHITESPACE}$`,
    );
    this.fields = rules.map((field, index) => ({
      keyLength: keys[index]!.length,
      isNumber:
        field.rule.kind === 'double' ||
        field.rule.kind === 'long' ||
        field.rule.kind === 'timestamp',
      isBoolean: field.rule.kind === 'boolean',
      mayBeNull: field.rule.kind === 'optional_string',
      maxAbs: field.constraint?.maxAbs ?? Number.POSITIVE_INFINITY,
    }));
    this.starts = new Int32Array(rules.length);
    this.ends = new Int32Array(rules.length);
    this.numbers = new Float64Array(rules.length);
  }

  /** True if `line` is a valid event in the usual form; its values are then in this scanner. */
  scan(line: string): boolean {
    if (!this.usualForm.test(line)) return false;
    // The form is known to hold: each value starts after its key, the colon and any
    // whitespace, each string ends at the next quote, each number at the first character that
    // is neither a digit nor its point.
    const fields = this.fields;
    let at = skipWhitespace(line, 0) + 1;
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index]!;
      // Past the comma before every member but the first.
      if (index > 0) at = skipWhitespace(line, at) + 1;
      at = skipWhitespace(line, at) + field.keyLength;
      at = skipWhitespace(line, skipWhitespace(line, at) + 1);
      if (field.isNumber) {
        at = this.readNumber(line, at, index);
        if (at < 0 || Math.abs(this.numbers[index]!) > field.maxAbs) return false;
      } else if (field.isBoolean) {
        const isTrue = line.charCodeAt(at) === LOWER_T;
        this.numbers[index] = isTrue ? 1 : 0;
        at += isTrue ? 4 : 5;
      } else if (field.mayBeNull && line.charCodeAt(at) !== QUOTE) {
        this.starts[index] = -1;
        this.ends[index] = -1;
        at += 4;
      } else {
        const end = line.indexOf('"', at + 1);
        this.starts[index] = at + 1;
        this.ends[index] = end;
        at = end + 1;
      }
    }
    this.text = line;
    return true;
  }

  /**
   * The value of the plain number at `at` (the form has checked its syntax); returns where it
   * ends, or -1 if it has too many digits to be read exactly this way.
   */
  private readNumber(line: string, at: number, index: number): number {
    let position = at;
    const negative = line.charCodeAt(position) === MINUS;
    if (negative) position++;
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = -1;
    for (;;) {
      const code = line.charCodeAt(position);
      if (code >= ZERO && code <= NINE) {
        mantissa = mantissa * 10 + (code - ZERO);
        digits++;
        if (fractionDigits >= 0) fractionDigits++;
      } else if (code === POINT) {
        fractionDigits = 0;
      } else {
        break;
      }
      position++;
    }
    if (digits > MAX_DIGITS) return -1;
    const magnitude = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa;
    this.numbers[index] = negative ? -magnitude : magnitude;
    return position;
  }
}

function skipWhitespace(line: string, at: number): number {
  let position = at;
  for (;;) {
    const code = line.charCodeAt(position);
    if (code !== SPACE && code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) {
      return position;
    }
    position++;
  }
}

/** The pattern of a value that passes the field's rules and is written plainly. */
function valuePattern({ rule, constraint }: FieldRule): string {
  switch (rule.kind) {
    case 'string':
      return constraint?.length === undefined
        ? `"${PLAIN_CHARACTER}+"`
        : `"${PLAIN_CHARACTER}{${constraint.length}}"`;
    case 'boolean':
      return '(?:true|false)';
    case 'long':
      return `-?${WHOLE_NUMBER}`;
    case 'enum':
      return `"(?:${[...rule.symbols].map(escapeForPattern).join('|')})"`;
    case 'optional_string':
      return `(?:null|"${PLAIN_CHARACTER}*")`;
    case 'double':
      return PLAIN_NUMBER;
    case 'timestamp':
      return WHOLE_NUMBER;
  }
}

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
