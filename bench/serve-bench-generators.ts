// The fuzz generators bench:serve uses, bundled by bench/serve-bench.mjs with esbuild: the
// same ones as test/serve/serve-fuzz.test.ts (contract payloads from each call's schema,
// malformed raw requests), sampled with a seed.
import path from 'node:path';
import fc from 'fast-check';
import { CALL_NAMES, calls, type CallName } from '@shared/contract';
import { MAX_UPLOAD_CHUNK_BYTES } from '@shared/contract/datasets';
import { arbitraryForSchema, mutate } from '../test/helpers/arbitrary-from-schema';
import { rawRequestArbitrary } from '../test/serve/raw-request-arbitrary';

export { MAX_UPLOAD_CHUNK_BYTES };

/** [call name, JSON body] pairs; absolute paths in payloads stay inside `scratch`. */
export function contractCallSamples(n: number, seed: number, scratch: string): [string, string][] {
  const pathField = () =>
    fc.oneof(
      fc.stringMatching(/^[a-z0-9_-]{1,12}$/).map((s) => path.join(scratch, s)),
      fc.string({ maxLength: 30 }).filter((s) => !/^(\/|[A-Za-z]:|\\\\)/.test(s)),
    );
  const overrides = { outputDir: pathField(), defaultPath: pathField(), path: pathField() };
  const requestFor = (name: CallName) => {
    const shaped = arbitraryForSchema(calls[name].request, overrides);
    return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 2, arbitrary: shaped.chain(mutate) }, { weight: 1, arbitrary: fc.anything() });
  };
  const anyCall = fc.constantFrom(...CALL_NAMES).chain((name) => fc.tuple(fc.constant(name), requestFor(name)));
  return fc.sample(anyCall, { numRuns: n, seed }).map(([name, payload]) => {
    let body = '{}';
    try {
      body = JSON.stringify(payload ?? {}) ?? '{}';
    } catch {
      // cyclic or otherwise unserialisable: send an empty object
    }
    return [name, body];
  });
}

/** Raw request bytes (request line, headers, body). */
export function rawRequestSamples(n: number, seed: number, port: number, token: string): Buffer[] {
  return fc.sample(rawRequestArbitrary(port, token), { numRuns: n, seed });
}
