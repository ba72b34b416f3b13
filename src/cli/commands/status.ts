/** `featureflow status`: each part of the local stack, its port and its health right now. */
import type { Command } from 'commander';
import { resolveRunDir, STACK_DEFAULTS } from '../../stack/stack-config.ts';
import type { StackStatus } from '../../stack/stack-status.ts';

interface StatusFlags {
  runDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('status')
    .description(
      'show each part of the local stack, its port and health (exit code 1 unless all are healthy)',
    )
    .option(
      '--run-dir <dir>',
      `the stack's run folder (default: FEATUREFLOW_RUN_DIR or ${STACK_DEFAULTS.runDir})`,
    )
    .option('--json', 'print the status as JSON on stdout')
    .action(async (flags: StatusFlags) => {
      const { stackStatus } = await import('../../stack/stack-status.ts');
      const status = await stackStatus(resolveRunDir(flags));
      process.stdout.write(
        flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status),
      );
      // Scripts can wait on `featureflow status` the way they would on a health check.
      if (!status.healthy) process.exitCode = 1;
    });
}

function formatStatus(status: StackStatus): string {
  if (!status.state)
    return `no stack is up in ${status.runDir} (start one with 'featureflow up')\n`;
  const header = ['SERVICE', 'PID', 'PORT', 'HEALTH', 'DETAIL'];
  const rows = status.services.map((service) => [
    service.title,
    service.pid === null ? 'external' : String(service.pid),
    String(service.port),
    service.health.ok ? 'ok' : 'FAILING',
    service.health.ok ? `${service.endpoint}: ${service.health.detail}` : service.health.reason,
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => row[column]!.length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ');
  const summary = status.healthy
    ? `stack in ${status.runDir}: healthy (up since ${status.state.startedAt})`
    : `stack in ${status.runDir}: NOT healthy${status.state.complete ? '' : " ('up' did not finish)"}`;
  return `${[summary, line(header), ...rows.map(line)].join('\n')}\n`;
}
