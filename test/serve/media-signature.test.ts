// The page's synchronous HMAC-SHA256 (@noble/hashes) must agree with node:crypto bit for bit, or every
// image in the browser would be refused; and the page's signature must be what serve checks.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hmacSha256, MEDIA_URL_LIFETIME_S, MEDIA_URL_MAX_AHEAD_S, MEDIA_URL_STEP_S, mediaExpiry, mediaKey, signMediaPath } from '@shared/media-signature';
import { ServeAuth } from '../../src-main/serve/auth';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('media signatures', () => {
  test('HMAC-SHA256 matches node:crypto (200 random keys and messages, long keys included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (key, msg) => {
        expect(hex(hmacSha256(key, msg))).toBe(crypto.createHmac('sha256', key).update(msg).digest('hex'));
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  test('a URL signed by the page is accepted by serve for its path only, until it expires', () => {
    const token = 'a-token-of-reasonable-length-123';
    const auth = new ServeAuth(token);
    const now = 1_800_000_100;
    const exp = mediaExpiry(now);
    expect(exp % MEDIA_URL_STEP_S).toBe(0);
    expect(exp - now).toBeGreaterThanOrEqual(MEDIA_URL_LIFETIME_S);
    expect(exp - now).toBeLessThanOrEqual(MEDIA_URL_MAX_AHEAD_S);
    // The same URL for a whole step, so re-renders hit the browser cache.
    expect(mediaExpiry(now + 1)).toBe(exp);
    const p = '/media/thumbs/ab/c%20d.webp';
    const url = (path: string, sig: string, e = exp) => new URL(`http://x${path}?exp=${e}&sig=${sig}`);
    const sig = signMediaPath(mediaKey(token), p, exp);
    expect(auth.mediaSignature(url(p, sig), now)).toEqual({ ok: true });
    expect(auth.mediaSignature(url('/media/thumbs/ab/other.webp', sig), now)).toMatchObject({ ok: false });
    expect(auth.mediaSignature(url(p, sig), exp)).toEqual({ ok: false, reason: 'expired link' });
    expect(auth.mediaSignature(url(p, sig, exp + 1), now)).toEqual({ ok: false, reason: 'bad signature' });
    expect(new ServeAuth('another-token-entirely-here').mediaSignature(url(p, sig), now)).toEqual({ ok: false, reason: 'bad signature' });
  });
});
