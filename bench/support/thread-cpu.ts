/**
 * CPU time per thread of this process, sampled from /proc (Linux; elsewhere nothing). Replay
 * runs two busy threads and goes as fast as the busier one, so on a machine busy with other
 * work the CPU time of the busier thread says more about replay's own speed than its wall time.
 * A thread's time is read every `everyMs` while it lives; a worker's last ticks before it ends
 * may be missed.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The kernel counts in ticks of 1/100 s (USER_HZ) on every Linux Node runs on. */
const MS_PER_TICK = 10;
const TASKS = '/proc/self/task';

export interface ThreadCpu {
  /** The main thread's CPU time, user and system. */
  mainMs: number;
  /** The busiest other thread's: replay's window thread. */
  busiestOtherMs: number;
}

export function sampleThreadCpu(everyMs = 100): { stop(): ThreadCpu | undefined } {
  const atStart = readTicks();
  const latest = new Map(atStart);
  const sample = () => {
    for (const [thread, ticks] of readTicks()) latest.set(thread, ticks);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      if (latest.size === 0) return undefined;
      let mainMs = 0;
      let busiestOtherMs = 0;
      for (const [thread, ticks] of latest) {
        const ms = (ticks - (atStart.get(thread) ?? 0)) * MS_PER_TICK;
        if (thread === process.pid) mainMs = ms;
        else busiestOtherMs = Math.max(busiestOtherMs, ms);
      }
      return { mainMs, busiestOtherMs };
    },
  };
}

/** Per thread id: user + system ticks so far. */
function readTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let threads: string[];
  try {
    threads = readdirSync(TASKS);
  } catch {
    return ticks;
  }
  for (const thread of threads) {
    try {
      const stat = readFileSync(`${TASKS}/${thread}/stat`, 'utf8');
      // After "pid (name) ": state is field 3, utime 14 and stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(thread), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}
