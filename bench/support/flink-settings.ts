/**
 * Flink settings a benchmark applies to a job file without editing it: `--set key=value` becomes
 * a `SET 'key' = 'value'` statement (replacing the file's own SET of that key), `--module
 * key=value` an option of `LOAD MODULE featureflow WITH (...)` (the bridge's BridgeOptions).
 * Benchmark only: what helps goes into the job files themselves (src/flink/job-sql.ts).
 */
import { splitSqlStatements, stripComments } from '../../src/flink/sql-script.ts';

export interface FlinkSettings {
  /** Flink configuration set in the job's session, in order. */
  readonly sets: readonly (readonly [string, string])[];
  /** Options added to (or replacing those of) LOAD MODULE featureflow. */
  readonly moduleOptions: readonly (readonly [string, string])[];
}

export const NO_SETTINGS: FlinkSettings = { sets: [], moduleOptions: [] };

/**
 * Flink's own tuning, one profile per setting, for `--profiles` (bench/flink-udf-vs-java.ts):
 * each profile's effect is measured against the first profile of the same run.
 */
export const TUNING_PROFILES: Readonly<Record<string, FlinkSettings>> = {
  shipped: NO_SETTINGS,
  'one-phase': { sets: [['table.optimizer.agg-phase-strategy', 'ONE_PHASE']], moduleOptions: [] },
  'object-reuse': { sets: [['pipeline.object-reuse', 'true']], moduleOptions: [] },
  'mini-batch': {
    sets: [
      ['table.exec.mini-batch.enabled', 'true'],
      ['table.exec.mini-batch.allow-latency', '1 s'],
      ['table.exec.mini-batch.size', '5000'],
    ],
    moduleOptions: [],
  },
  'distinct-split': {
    sets: [['table.optimizer.distinct-agg.split.enabled', 'true']],
    moduleOptions: [],
  },
  rocksdb: { sets: [['state.backend.type', 'rocksdb']], moduleOptions: [] },
  'encode-off-task-thread': {
    sets: [],
    moduleOptions: [['batch.encode-off-task-thread', 'true']],
  },
  'concurrency-1024': {
    sets: [['table.exec.async-scalar.max-concurrent-operations', '1024']],
    moduleOptions: [],
  },
  'concurrency-8192': {
    sets: [['table.exec.async-scalar.max-concurrent-operations', '8192']],
    moduleOptions: [],
  },
};

export function tuningProfile(name: string): FlinkSettings {
  const profile = TUNING_PROFILES[name];
  if (profile === undefined) {
    throw new Error(
      `--profiles: no profile ${JSON.stringify(name)} (known: ${Object.keys(TUNING_PROFILES).join(', ')})`,
    );
  }
  return profile;
}

/** `key=value` flags as pairs; throws on a flag without '=' or with an empty key. */
export function parseSettingFlags(flag: string, values: readonly string[]): [string, string][] {
  return values.map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) {
      throw new Error(
        `${flag} ${JSON.stringify(text)}: expected key=value (e.g. ${flag} table.exec.mini-batch.enabled=true)`,
      );
    }
    return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
  });
}

/** One line per setting, for a benchmark's report: `SET k = v`, `module k = v`, or `none`. */
export function describeSettings(settings: FlinkSettings): string {
  const lines = [
    ...settings.sets.map(([k, v]) => `SET ${k} = ${v}`),
    ...settings.moduleOptions.map(([k, v]) => `module ${k} = ${v}`),
  ];
  return lines.length === 0 ? 'none (the job files as shipped)' : lines.join('; ');
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const SET_KEY = /^SET\s+'((?:[^']|'')*)'/i;
const LOAD_MODULE = /^LOAD\s+MODULE\s+featureflow\b/i;

/**
 * The script with the settings applied: a SET of a key the file already sets replaces that
 * statement; other SETs go after the file's last SET. Module options go into every LOAD MODULE
 * featureflow; a script without one refuses module options (they would silently do nothing).
 */
export function applyFlinkSettings(script: string, settings: FlinkSettings): string {
  const statements = splitSqlStatements(script).map((s) => s.text);
  const codeOf = (text: string) => stripComments(text).trim();
  const setKeyOf = (text: string) => SET_KEY.exec(codeOf(text))?.[1]?.replaceAll("''", "'");
  const added: string[] = [];
  for (const [key, value] of settings.sets) {
    const statement = `SET ${quote(key)} = ${quote(value)}`;
    const existing = statements.findIndex((text) => setKeyOf(text) === key);
    if (existing === -1) added.push(`-- Benchmark setting.\n${statement}`);
    else statements[existing] = `-- Benchmark setting (replaces the file's).\n${statement}`;
  }
  const lastSet = statements.findLastIndex((text) => setKeyOf(text) !== undefined);
  statements.splice(lastSet + 1, 0, ...added);
  if (settings.moduleOptions.length > 0) {
    const modules = statements.flatMap((text, i) => (LOAD_MODULE.test(codeOf(text)) ? [i] : []));
    if (modules.length === 0) {
      throw new Error(
        'module options given for a job without LOAD MODULE featureflow (drop --module for this job)',
      );
    }
    for (const i of modules) statements[i] = withModuleOptions(statements[i]!, settings);
  }
  return `${statements.map((text) => `${text};`).join('\n\n')}\n`;
}

function withModuleOptions(statement: string, settings: FlinkSettings): string {
  const open = statement.search(/\bWITH\s*\(/i);
  if (open === -1) {
    const options = settings.moduleOptions.map(([k, v]) => `${quote(k)} = ${quote(v)}`);
    return `${statement} WITH (${options.join(', ')})`;
  }
  const close = statement.lastIndexOf(')');
  const body = statement.slice(statement.indexOf('(', open) + 1, close);
  const given = new Set(settings.moduleOptions.map(([k]) => k));
  const kept = body
    .split(/,(?=\s*')/)
    .map((option) => option.trim())
    .filter((option) => option !== '' && !given.has(/^'((?:[^']|'')*)'/.exec(option)?.[1] ?? ''));
  const options = [...kept, ...settings.moduleOptions.map(([k, v]) => `${quote(k)} = ${quote(v)}`)];
  return `${statement.slice(0, open)}WITH (${options.join(', ')})${statement.slice(close + 1)}`;
}
