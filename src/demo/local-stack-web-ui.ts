/**
 * The Flink REST URL of the local stack that `featureflow up` started (from its run folder's
 * stack.json), for the demo's watermark display. Undefined when the stack is not ours.
 */
import { runLayout } from '../stack/run-folder.ts';
import { resolveRunDir } from '../stack/stack-config.ts';
import { readStackState } from '../stack/stack-state.ts';

export function flinkRestUrlOfLocalStack(): string | undefined {
  try {
    return readStackState(runLayout(resolveRunDir()))?.endpoints.flinkWebUi.replace(/\/+$/, '');
  } catch {
    // An unreadable state file: `featureflow status` reports it; the demo just shows no lag.
    return undefined;
  }
}
