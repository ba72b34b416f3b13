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

/**
 * Fills `${NAME}` from `vars` first, then the environment; `${NAME:-default}` falls back to its
 * default, so a file stays runnable as is. An unset one without default is an error naming it.
 */
export function fillPlaceholders(
  text: string,
  vars: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback: string | undefined) => {
      const value = vars[name] ?? env[name] ?? fallback;
      if (value === undefined) {
        throw new FeatureflowError(
          'invalid_argument',
          `SQL placeholder \${${name}} is not set (pass --var ${name}=VALUE or export ${name})`,
          { context: { placeholder: name } },
        );
      }
      return value;
    },
  );
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
