/**
 * The job flags every command that needs jobs shares: `--job <name>`, whose help lists the
 * registered jobs, and `--definitions <path>` (or FEATUREFLOW_DEFINITIONS) for jobs of one's own.
 */
import type { Command } from 'commander';
import { type DefinitionsFlags, resolveDefinitionsPath } from '../config/environment.ts';
import type { JobRegistry } from '../core/jobs/job-registry.ts';
import { builtInJobRegistry, loadJobRegistry } from '../core/jobs/load-definitions.ts';

const DEFINITIONS_HELP =
  'job definitions of your own: a module or a folder with an index.ts/index.js (default: FEATUREFLOW_DEFINITIONS)';

/** `--job <name>` (required) and `--definitions <path>`. */
export function addJobOptions(command: Command): Command {
  return addDefinitionsOption(
    command.requiredOption(
      '--job <job>',
      `${builtInJobRegistry().choices}, or a job of --definitions`,
    ),
  );
}

export function addDefinitionsOption(command: Command): Command {
  return command.option('--definitions <path>', DEFINITIONS_HELP);
}

/** The built-in jobs and those of `--definitions` / FEATUREFLOW_DEFINITIONS. */
export function jobRegistryFor(flags: DefinitionsFlags): Promise<JobRegistry> {
  return loadJobRegistry(resolveDefinitionsPath(flags));
}
