/**
 * Splits a Flink SQL file into statements and fills `${VAR}` placeholders. Semicolons inside
 * strings, quoted identifiers and comments do not end a statement; neither do the ones inside
 * an `EXECUTE STATEMENT SET BEGIN ... END;` block.
 */
import { FeatureflowError } from '../core/errors.ts';

export interface SqlStatement {
  /** The statement without its final semicolon, comments kept (the gateway accepts them). */
  text: string;
  /** 1-based line where the statement starts, for error messages. */
  line: number;
}

export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current = '';
  let startLine = 1;
  let line = 1;
  let inStatementSet = false;
  let i = 0;
  const push = () => {
    if (stripComments(current).trim().length > 0) {
      statements.push({ text: current.trim(), line: startLine });
    }
    current = '';
  };
  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? script.length : end;
      current += script.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw unterminated('block comment', line);
      const text = script.slice(i, end + 2);
      line += countNewlines(text);
      current += text;
      i = end + 2;
      continue;
    }
    // The statement starts at its first character that is not a comment or white space.
    if (!/\s/.test(c) && stripComments(current).trim() === '') startLine = line;
    if (c === "'" || c === '`' || c === '"') {
      // Quotes escape themselves by doubling ('it''s', `a``b`).
      let j = i + 1;
      for (;;) {
        if (j >= script.length)
          throw unterminated(c === "'" ? 'string' : 'quoted identifier', line);
        if (script[j] === c) {
          if (script[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      const text = script.slice(i, j + 1);
      line += countNewlines(text);
      current += text;
      i = j + 1;
      continue;
    }
    if (c === '\n') line++;
    if (c === ';') {
      const code = stripComments(current).trim().toUpperCase().replace(/\s+/g, ' ');
      if (!inStatementSet && /^(EXECUTE STATEMENT SET|BEGIN STATEMENT SET)\b/.test(code))
        inStatementSet = true;
      if (inStatementSet) {
        current += c;
        if (/\bEND$/.test(code)) {
          current = current.slice(0, -1);
          inStatementSet = false;
          push();
        }
      } else {
        push();
      }
      i++;
      continue;
    }
    current += c;
    i++;
  }
  if (inStatementSet) throw unterminated('statement set (missing END;)', startLine);
  push();
  return statements;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Fills `${NAME}` from `vars` first, then the environment; `${NAME:-default}` falls back to its
 * default, so a file stays runnable as is. An unset one without default is an error naming it.
 *
 * A value is data, never SQL: placeholders are filled only inside single-quoted string
 * literals, with a quote written as two (the SQL escape), so no value can end the literal and
 * add options or a statement. A placeholder anywhere else (a bare identifier, a quoted
 * identifier) is refused, and so is a value with a line break or another control character,
 * which no SQL literal escape carries. Placeholders inside comments stay as written: comments
 * are not run.
 */
export function fillPlaceholders(
  text: string,
  vars: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  let filled = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    let end: number;
    if (c === '-' && next === '-') {
      const newline = text.indexOf('\n', i);
      end = newline === -1 ? text.length : newline;
      filled += text.slice(i, end);
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      end = close === -1 ? text.length : close + 2;
      filled += text.slice(i, end);
    } else if (c === "'" || c === '`' || c === '"') {
      end = quotedEnd(text, i);
      const quoted = text.slice(i, end);
      if (c === "'") {
        filled += quoted.replace(PLACEHOLDER, (_match, name: string, fallback?: string) =>
          escapeLiteral(name, placeholderValue(name, fallback, vars, env)),
        );
      } else {
        refuseAnyPlaceholder(quoted, 'inside a quoted identifier');
        filled += quoted;
      }
    } else {
      end = i + 1;
      while (end < text.length && !startsQuoteOrComment(text, end)) end++;
      const plain = text.slice(i, end);
      refuseAnyPlaceholder(plain, 'outside a quoted string literal');
      filled += plain;
    }
    i = end;
  }
  return filled;
}

function startsQuoteOrComment(text: string, at: number): boolean {
  const c = text[at]!;
  const next = text[at + 1];
  return (
    c === "'" ||
    c === '`' ||
    c === '"' ||
    (c === '-' && next === '-') ||
    (c === '/' && next === '*')
  );
}

/** The index just past the quote that closes the one at `start` (a doubled quote escapes). */
function quotedEnd(text: string, start: number): number {
  const quote = text[start]!;
  let j = start + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return text.length;
}

function placeholderValue(
  name: string,
  fallback: string | undefined,
  vars: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
): string {
  const value = vars[name] ?? env[name] ?? fallback;
  if (value === undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      `SQL placeholder \${${name}} is not set (pass --var ${name}=VALUE or export ${name})`,
      { context: { placeholder: name } },
    );
  }
  return value;
}

function escapeLiteral(name: string, value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  const control = /[\u0000-\u001f\u007f]/.exec(value);
  if (control) {
    throw new FeatureflowError(
      'invalid_argument',
      `SQL placeholder \${${name}} has a value with a control character (${JSON.stringify(control[0])}), which a SQL string literal cannot carry: ${JSON.stringify(value)} (give a value on one line, without tabs or line breaks)`,
      { context: { placeholder: name } },
    );
  }
  return value.replaceAll("'", "''");
}

function refuseAnyPlaceholder(sql: string, where: string): void {
  const match = new RegExp(PLACEHOLDER.source).exec(sql);
  if (match) {
    throw new FeatureflowError(
      'invalid_argument',
      `SQL placeholder ${match[0]} is ${where}: featureflow fills placeholders only inside '...' string literals, where the value cannot become SQL (write it as '${match[0]}')`,
      { context: { placeholder: match[1] } },
    );
  }
}

export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

function countNewlines(text: string): number {
  let n = 0;
  for (const c of text) if (c === '\n') n++;
  return n;
}

function unterminated(what: string, line: number): FeatureflowError {
  return new FeatureflowError(
    'invalid_argument',
    `SQL has an unterminated ${what} starting near line ${line}`,
    {
      context: { line },
    },
  );
}
