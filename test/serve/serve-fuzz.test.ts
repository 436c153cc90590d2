// Fuzzing serve from outside (issue 17): every contract call with generated payloads over
// HTTP, then malformed raw requests — paths, methods, headers, cookies, upgrades — with and
// without the token, written straight to the socket. Every request must be answered, none
// with a 5xx, and the server must still serve at the end. Counts are bounded (seeded) so
// the suite stays a few seconds; `npm run bench:serve` runs more.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CALL_NAMES } from '@shared/contract';
import { contractCallArbitrary } from '../helpers/arbitrary-from-schema';
import { tempDir } from '../helpers/studio';
import { raw, rawSocket, startHarness, type Harness } from './serve-harness';
import { rawRequestArbitrary } from './raw-request-arbitrary';

let h: Harness;
let scratch: string;
beforeAll(async () => {
  h = await startHarness();
  scratch = tempDir('flux-studio-serve-fuzz-');
});
afterAll(async () => {
  await h.close();
});

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

describe('fuzzing serve', () => {
  test('1,000 generated contract calls over HTTP: every answer a 200 envelope, never a 5xx', async () => {
    const anyCall = contractCallArbitrary(scratch);
    const samples = fc.sample(anyCall, { numRuns: 1000, seed: 1717 });
    const seen = new Set<string>();
    let ok = 0;
    await pool(samples, 4, async ([name, payload]) => {
      seen.add(name);
      let body: string;
      try {
        body = JSON.stringify(payload ?? {}) ?? '{}';
      } catch {
        body = '{}';
      }
      const res = await raw(h.server.port, 'POST', `/api/call/${encodeURIComponent(name)}`, { 'Content-Type': 'application/json', Authorization: `Bearer ${h.server.token}` }, body);
      expect(res.status, `${name} ${body.slice(0, 200)}`).toBe(200);
      const env = JSON.parse(res.body) as { ok: boolean; error?: { code: string } };
      if (env.ok) ok++;
      else expect(env.error?.code, `${name} ${body.slice(0, 200)}`).not.toBe('internal');
    });
    await h.studio.jobs.whenIdle();
    expect(seen.size).toBeGreaterThan(CALL_NAMES.length * 0.9);
    expect(ok).toBeGreaterThan(50);
    expect((await raw(h.server.port, 'GET', '/')).status).toBe(200);
  }, 120_000);

  test('1,500 malformed raw requests and upgrades, with and without the token: all answered, no 5xx, server alive', async () => {
    const samples = fc.sample(rawRequestArbitrary(h.server.port, h.server.token), { numRuns: 1500, seed: 1718 });
    const statuses = new Map<string, number>();
    await pool(samples, 8, async (req) => {
      const reply = await rawSocket(h.server.port, req, 3000);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1];
      expect(status, `no answer to ${JSON.stringify(req.toString('latin1').slice(0, 300))}`).toBeDefined();
      expect(Number(status), JSON.stringify(req.toString('latin1').slice(0, 300))).toBeLessThan(500);
      statuses.set(status as string, (statuses.get(status as string) ?? 0) + 1);
    });
    // The generator reaches past the guards: refusals of every kind and some successes.
    for (const s of ['200', '400', '401', '403', '404', '405']) expect(statuses.get(s) ?? 0, `${s} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    expect(h.studio.logs.recentLines(1000).filter((l) => l.level === 'error')).toEqual([]);
    expect((await raw(h.server.port, 'GET', '/')).status).toBe(200);
  }, 120_000);
});
