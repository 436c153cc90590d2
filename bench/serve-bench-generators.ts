// The fuzz generators bench:serve uses, bundled by bench/serve-bench.mjs with esbuild: the
// same ones as test/serve/serve-fuzz.test.ts (contract payloads from each call's schema,
// malformed raw requests), sampled with a seed.
import fc from 'fast-check';
import { MAX_UPLOAD_CHUNK_BYTES } from '@shared/contract/datasets';
import { contractCallArbitrary } from '../test/helpers/arbitrary-from-schema';
import { rawRequestArbitrary } from '../test/serve/raw-request-arbitrary';

export { MAX_UPLOAD_CHUNK_BYTES };

/** [call name, JSON body] pairs; absolute paths in payloads stay inside `scratch`. */
export function contractCallSamples(n: number, seed: number, scratch: string): [string, string][] {
  const anyCall = contractCallArbitrary(scratch);
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
