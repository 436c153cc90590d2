// Signed media URLs for `flux-studio serve` (see docs/architecture.md, "serve"). An <img>
// cannot send an Authorization header and serve sets no cookie, so the page signs each
// /media/ URL itself: HMAC-SHA256 over the URL path and an expiry, keyed by a media key
// derived from the token (HMAC(token, MEDIA_KEY_LABEL)). A leaked URL opens one file until
// it expires and reveals neither the token nor the key.
//
// `mediaUrl()` is synchronous (it is called while rendering), and WebCrypto is not, so the
// page signs with @noble/hashes (audited, synchronous, no Node built-ins). Main verifies with
// node:crypto; test/serve/media-signature.test.ts checks that the two agree.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Query parameters a signed media URL carries. */
export const MEDIA_EXP_PARAM = 'exp';
export const MEDIA_SIG_PARAM = 'sig';
/** The media key is HMAC-SHA256(token, this). */
export const MEDIA_KEY_LABEL = 'flux-studio media-url key v1';
/** Expiries are rounded up to this step, so a page renders the same URL (and hits the cache) for a while. */
export const MEDIA_URL_STEP_S = 10 * 60;
/** A URL is valid for at least this long after it is made… */
export const MEDIA_URL_LIFETIME_S = 60 * 60;
/** …and the server refuses expiries further ahead than this (lifetime + step + clock skew). */
export const MEDIA_URL_MAX_AHEAD_S = MEDIA_URL_LIFETIME_S + MEDIA_URL_STEP_S + 5 * 60;

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(sha256, key, message);
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The key media URLs are signed with, derived from the serve token. */
export function mediaKey(token: string): Uint8Array {
  return hmacSha256(utf8(token), utf8(MEDIA_KEY_LABEL));
}

/** What is signed: the URL's path exactly as sent (percent-encoded) and the expiry. */
export function mediaSigningInput(pathname: string, exp: number): string {
  return `${pathname}\n${exp}`;
}

/** Hex HMAC of a media URL's path and expiry (seconds since the epoch). */
export function signMediaPath(key: Uint8Array, pathname: string, exp: number): string {
  return hex(hmacSha256(key, utf8(mediaSigningInput(pathname, exp))));
}

/** The expiry a URL made at `nowS` carries: at least the lifetime ahead, rounded up to a step. */
export function mediaExpiry(nowS: number): number {
  return Math.ceil((nowS + MEDIA_URL_LIFETIME_S) / MEDIA_URL_STEP_S) * MEDIA_URL_STEP_S;
}
