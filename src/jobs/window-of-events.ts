/**
 * The window a list of one entity's events stands for when the caller gives no bounds:
 * `[earliest event, earliest event + size)`. Events of several entities, or spanning more than
 * the size, are no window: that is a caller's mistake, said with the values.
 */
import { FeatureflowError } from '../core/errors.ts';
import type { WindowContext } from '../core/processors/window-context.ts';

export function windowOfEvents<E extends { timestamp: number }>(
  events: readonly E[],
  entityOf: (event: E) => string,
  windowSizeMs: number,
  entityField: string,
): WindowContext {
  const first = events[0];
  if (first === undefined) {
    throw new FeatureflowError(
      'invalid_argument',
      'no events: a window holds at least one (empty windows emit no row)',
    );
  }
  const entityId = entityOf(first);
  let earliest = first.timestamp;
  let latest = first.timestamp;
  for (const event of events) {
    const entity = entityOf(event);
    if (entity !== entityId) {
      throw new FeatureflowError(
        'invalid_argument',
        `events of two entities in one window: ${entityField} '${entityId}' and '${entity}' (windows are per ${entityField}; group the events first)`,
        { context: { [entityField]: entity } },
      );
    }
    if (event.timestamp < earliest) earliest = event.timestamp;
    if (event.timestamp > latest) latest = event.timestamp;
  }
  if (latest - earliest >= windowSizeMs) {
    throw new FeatureflowError(
      'invalid_argument',
      `events span ${latest - earliest} ms, more than one window holds: ${windowSizeMs} ms (use a larger windowSizeMinutes, or split them into windows)`,
      { context: { earliest, latest, windowSizeMs } },
    );
  }
  return { entityId, windowStart: earliest, windowEnd: earliest + windowSizeMs };
}
