// The generator's corruptions come from each job's field rules: for every registered job, the
// built-in ones and the logins example, every corruption of every field it can break gives an
// event the job's own validator refuses, and the job's own rules (bad_currency) are among them.
import { describe, expect, it } from 'vitest';
import { loadJobRegistry } from '../../src/core/jobs/load-definitions.ts';
import { corruptEvent, corruptionsFor } from '../../src/generate/invalid-events.ts';
import { SeededRandom } from '../../src/generate/seeded-random.ts';
import { LOGINS_EXAMPLE } from '../support/user-definitions.ts';

const registry = await loadJobRegistry(LOGINS_EXAMPLE);

describe.each(registry.jobs.map((job) => [job.name, job] as const))('%s', (_name, job) => {
  const valid = job.sentinelEvent('entity-1', 1_700_000_000_000);

  it('starts from a valid event', () => {
    expect(job.findProblem(valid)).toBeUndefined();
  });

  it.each([false, true])('every corruption is refused by the validator (Avro: %s)', (forAvro) => {
    const corruptions = corruptionsFor(job.fieldRules, forAvro);
    expect(corruptions.length).toBeGreaterThan(0);
    const reasons = new Set<string>();
    const random = new SeededRandom(7);
    for (let i = 0; i < 400; i++) {
      const corrupted = corruptEvent(valid, corruptions, random);
      if ('rawLine' in corrupted) {
        expect(() => JSON.parse(corrupted.rawLine)).toThrow();
        continue;
      }
      const problem = job.findProblem(corrupted.object);
      expect(problem, JSON.stringify(corrupted.object)).toBeDefined();
      reasons.add(problem!.reason);
    }
    if (!forAvro) expect(reasons).toContain('missing_field');
    if (job.name === 'transactions') expect(reasons).toContain('bad_currency');
  });
});
