/**
 * Login events for the logins example's tests (the example has no sample generator, as a job of
 * one's own may not): a few users, disorder, some late events, and invalid lines of each kind
 * docs/events.md rules out ("true" and 1 for success, negative and fractional times, empty strings).
 */
import type { LoginEvent } from '../../examples/logins/index.ts';
import { SeededRandom } from '../../src/generate/seeded-random.ts';

export type { LoginEvent };

const START_MS = Date.parse('2024-01-01T00:00:00Z');
const INVALID_PATCHES: readonly Record<string, unknown>[] = [
  { success: 'true' },
  { success: 1 },
  { timestamp: -1 },
  { timestamp: 1.5 },
  { ip: '' },
  { user_id: 7 },
  { country: undefined },
];

export interface LoginLineOptions {
  users?: number;
  /** Fractions of events placed 12 minutes behind the clock, and broken in one field. */
  lateFraction?: number;
  invalidFraction?: number;
}

/** NDJSON lines: `count` login events, seeded. */
export function loginLines(count: number, seed: number, options: LoginLineOptions = {}): string[] {
  const { users = 12, lateFraction = 0.02, invalidFraction = 0.03 } = options;
  const random = new SeededRandom(seed);
  const lines: string[] = [];
  let clock = START_MS;
  for (let i = 0; i < count; i++) {
    clock += random.int(4_000);
    const user = random.int(users);
    const isLate = random.chance(lateFraction);
    const event: LoginEvent = {
      event_id: `login-${i}`,
      user_id: `user-${user}`,
      ip: `10.0.${user}.${random.int(4)}`,
      country: random.chance(0.1) ? random.pick(['BR', 'US', 'NG']) : 'NL',
      success: !random.chance(0.25),
      // Up to 3 s of disorder (under the 5 s allowed); late ones 12 minutes behind the clock.
      timestamp: isLate ? clock - 12 * 60_000 : clock - random.int(3_000),
    };
    if (random.chance(invalidFraction)) {
      lines.push(JSON.stringify({ ...event, ...random.pick(INVALID_PATCHES) }));
    } else {
      lines.push(JSON.stringify(event));
    }
  }
  return lines;
}
