/**
 * Shares the event loop between the Invoke calls in progress: each waiter gets the next turn in
 * arrival order, one waiter per turn, and I/O (health checks, arriving requests) is served
 * between two turns. Node runs every setImmediate callback queued before a check phase in that
 * one phase, so calls each yielding with their own setImmediate still ran back to back: with 32
 * calls computing, health waited for 32 slices (and as many request decodes) in a row, seconds
 * on a busy machine.
 */

const waiting: (() => void)[] = [];
let scheduled = false;

function grantOne(): void {
  const next = waiting.shift();
  // Scheduled again from inside the check phase: the next turn comes after the next poll.
  if (waiting.length > 0) setImmediate(grantOne);
  else scheduled = false;
  next?.();
}

/** Resolves at this caller's turn: after the waiters before it, each in a turn of its own. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(grantOne);
    }
  });
}
