// Sends thousands of random payloads across every call of the contract — junk, shape-valid
// values, and corruptions of those — and checks that every answer is either a response
// that satisfies the call's schema or a typed error, and that main keeps answering.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StudioErrorShape, calls, type CallName } from '@shared/contract';
import type { Studio } from '../../src-main/studio';
import { contractCallArbitrary } from '../helpers/arbitrary-from-schema';
import { makeStudio, tempDir } from '../helpers/studio';

let studio: Studio;
let scratch: string;

beforeAll(async () => {
  studio = await makeStudio();
  scratch = tempDir('flux-studio-fuzz-paths-');
});
afterAll(async () => {
  await studio.close();
});


describe('fuzzing the dispatcher', () => {
  test('1,500 random payloads: every answer is a valid response or a typed error', async () => {
    const anyCall = fc.oneof(
      { weight: 20, arbitrary: contractCallArbitrary(scratch) as fc.Arbitrary<[unknown, unknown]> },
      { weight: 1, arbitrary: fc.tuple(fc.anything(), fc.anything()) },
    );
    const tally = { ok: 0, errors: new Map<string, number>(), runs: 0 };
    await fc.assert(
      fc.asyncProperty(anyCall, async ([name, payload]) => {
        tally.runs++;
        const envelope = await studio.dispatch(name, payload);
        if (envelope.ok) {
          expect(typeof name === 'string' && name in calls).toBe(true);
          const schema = calls[name as CallName].response;
          expect(schema.safeParse(envelope.data).success).toBe(true);
          tally.ok++;
        } else {
          expect(StudioErrorShape.strict().safeParse(envelope.error).success).toBe(true);
          // A fuzzed input may be rejected, but never by crashing inside a handler.
          expect(envelope.error.code).not.toBe('internal');
          if (envelope.error.code === 'invalid_input') expect(envelope.error.field).toBeTruthy();
          tally.errors.set(envelope.error.code, (tally.errors.get(envelope.error.code) ?? 0) + 1);
        }
      }),
      { numRuns: 1500, seed: 20261122 },
    );
    await studio.jobs.whenIdle();
    expect(tally.runs).toBeGreaterThanOrEqual(1500);
    // The generator must reach the handlers, not only the validator.
    expect(tally.ok).toBeGreaterThan(200);
    expect(tally.errors.get('invalid_input') ?? 0).toBeGreaterThan(200);
    // Still healthy afterwards.
    const after = await studio.dispatch('settings.get', {});
    expect(after.ok).toBe(true);
  }, 120_000);
});
