// The client's pieces that need no server: Retry-After parsing, RunPod's "no capacity" 400
// told apart from other 400s, and the status → StudioError mapping (docs/architecture.md, "RunPod").
import { describe, expect, it } from 'vitest';
import { isNoCapacity, NoBalanceError, NoCapacityError, retryAfterMs, toStudioError } from '../../src-main/runpod/runpod-client';

describe('runpod client', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('12')).toBe(12_000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
    const now = Date.parse('2026-12-04T12:00:00Z');
    expect(retryAfterMs('Fri, 04 Dec 2026 12:00:05 GMT', now)).toBe(5_000);
  });

  it('tells RunPod\'s no-capacity 400 from a broken rule', () => {
    expect(isNoCapacity('There are no longer any instances available with the requested specifications. Please refresh and try again.')).toBe(true);
    expect(isNoCapacity('This machine does not have the resources to deploy your pod (capacity).')).toBe(true);
    expect(isNoCapacity('Use either a persistent volume or a network volume, not both.')).toBe(false);
  });

  it('maps every status to a clear StudioError', () => {
    const e = (status: number, detail = 'd') => toStudioError(status, { title: 't', status, detail }, 'stop pod x');
    expect(e(401)).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/refused the API key \(401\)/) });
    expect(e(403, 'scope')).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/may not stop pod x \(403: scope\)/) });
    expect(e(402)).toBeInstanceOf(NoBalanceError);
    expect(e(402).message).toMatch(/no balance left/);
    expect(e(400, 'There are no longer any instances available')).toBeInstanceOf(NoCapacityError);
    expect(e(400, 'bad mount')).toMatchObject({ code: 'upstream', message: expect.stringMatching(/refused to stop pod x \(400\): bad mount/) });
    expect(e(404)).toMatchObject({ code: 'not_found' });
    expect(e(409, 'pod is EXITED')).toMatchObject({ code: 'conflict', message: expect.stringMatching(/cannot stop pod x now \(409: pod is EXITED\)/) });
    expect(toStudioError(422, { title: 'x', status: 422, detail: 'invalid body', errors: ['$.gpu: required'] }, 'create a pod')).toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/invalid body; \$\.gpu: required.*our bug: please report/),
    });
    expect(toStudioError(429, null, 'list pods', new Headers({ 'retry-after': '30' })).message).toMatch(/wait 30 s/);
    expect(e(503)).toMatchObject({ code: 'upstream', message: expect.stringMatching(/answered 503/) });
  });
});
