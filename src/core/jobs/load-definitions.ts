/**
 * Loads job definitions: the built-in jobs (src/jobs/) and, when given, a user's definitions
 * module (a file, or a folder with an index.ts / index.js) from anywhere on disk, TypeScript or
 * JavaScript. A module that does not load, or exports no job, fails with the path and the
 * reason, never a stack trace.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILT_IN_JOBS } from '../../jobs/index.ts';
import { describeError, FeatureflowError } from '../errors.ts';
import { ownModuleUrl } from '../utils/own-module.ts';
import { definedJobsOf } from './exported-jobs.ts';
import { type JobDefinition, resolveJob } from './job-definition.ts';
import { JobRegistry } from './job-registry.ts';

const BUILT_IN_MODULE = fileURLToPath(ownModuleUrl('../../jobs/index.ts', import.meta.url));
const INDEX_FILES = ['index.ts', 'index.mts', 'index.js', 'index.mjs'];

let builtIn: readonly JobDefinition[] | undefined;

/** The built-in jobs, resolved once per process. */
export function builtInJobs(): readonly JobDefinition[] {
  builtIn ??= BUILT_IN_JOBS.map((spec) =>
    resolveJob(spec, BUILT_IN_MODULE, dirname(BUILT_IN_MODULE)),
  );
  return builtIn;
}

/** Whether `job` is one of featureflow's own jobs (src/jobs/). */
export function isBuiltInJob(job: Pick<JobDefinition, 'module'>): boolean {
  return job.module === BUILT_IN_MODULE;
}

/** A registry of the built-in jobs only. */
export function builtInJobRegistry(): JobRegistry {
  return new JobRegistry(builtInJobs());
}

/** The built-in jobs and those of `definitions` (a module file or a folder with an index). */
export async function loadJobRegistry(definitions?: string): Promise<JobRegistry> {
  if (definitions === undefined) return builtInJobRegistry();
  const module = definitionsEntry(definitions);
  const specs = definedJobsOf(await importModule(module), module);
  const jobs = specs.map((spec) => resolveJob(spec, module, dirname(module)));
  return new JobRegistry([...builtInJobs(), ...jobs], module);
}

/** The module file of `path`: the file itself, or the folder's index file. */
export function definitionsEntry(path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new FeatureflowError(
      'invalid_argument',
      `definitions ${path} do not exist (give --definitions or FEATUREFLOW_DEFINITIONS a module file or a folder with an index.ts or index.js)`,
      { context: { path } },
    );
  }
  if (!statSync(absolute).isDirectory()) return absolute;
  for (const name of INDEX_FILES) {
    const candidate = join(absolute, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new FeatureflowError(
    'invalid_argument',
    `definitions folder ${path} has no ${INDEX_FILES.join(', ')} (add an index that exports your jobs)`,
    { context: { path } },
  );
}

async function importModule(module: string): Promise<Record<string, unknown>> {
  try {
    // A plain import, also for TypeScript: in a checkout featureflow is TypeScript itself, so
    // the loader that runs it (tsx's ESM and CommonJS hooks, which bin/featureflow.js registers)
    // loads the module into the same module graph; the compiled package leaves TypeScript to
    // Node or to a loader the user gives it. A separate graph (tsx's tsImport) would load featureflow's
    // dependencies a second time, which a CommonJS one such as ioredis does not survive
    // ("Cannot redefine property: default").
    return (await import(pathToFileURL(module).href)) as Record<string, unknown>;
  } catch (error) {
    // The compiled package runs on Node alone, which loads TypeScript only from 22.18 on.
    const fix =
      (error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? 'compile it to JavaScript, or run featureflow with a TypeScript loader: node --import tsx node_modules/.bin/featureflow'
        : 'fix the module; it must export the results of defineJob';
    throw new FeatureflowError(
      'invalid_argument',
      `definitions ${module} do not load: ${firstLine(describeError(error))} (${fix})`,
      { cause: error, context: { path: module } },
    );
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
