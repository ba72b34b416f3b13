/** CPU time of processes and of the whole machine, from /proc (Linux), for benchmark budgets. */
import { readFileSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far, or NaN when /proc cannot tell. */
export function processCpuSeconds(pid: number | undefined | null): number {
  if (!pid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine (all cores, all processes) so far. */
export function machineCpuSeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = cpu.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
