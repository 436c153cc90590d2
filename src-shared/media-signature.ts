// Signed media URLs for `flux-studio serve` (see docs/architecture.md, "serve"). An <img>
// cannot send an Authorization header and serve sets no cookie, so the page signs each
// /media/ URL itself: HMAC-SHA256 over the URL path and an expiry, keyed by a media key
// derived from the token (HMAC(token, MEDIA_KEY_LABEL)). A leaked URL opens one file until
// it expires and reveals neither the token nor the key.
//
// `mediaUrl()` is synchronous (it is called while rendering), and WebCrypto is not, so the
// page needs a synchronous SHA-256: the small one below (FIPS 180-4, checked against
// node:crypto in test/serve/media-signature.test.ts). Main verifies with node:crypto.

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

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  const bitLen = data.length * 8;
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  // Lengths past 2^32 bits never occur here (URLs and keys), but write both words properly.
  view.setUint32(padded.length - 8, Math.floor(bitLen / 2 ** 32));
  view.setUint32(padded.length - 4, bitLen >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] as number;
      const b = w[i - 2] as number;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const add = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = ((h[i] as number) + (add[i] as number)) >>> 0;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i] as number);
  return out;
}

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const inner = new Uint8Array(64 + message.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = (block[i] as number) ^ 0x36;
    outer[i] = (block[i] as number) ^ 0x5c;
  }
  inner.set(message, 64);
  outer.set(sha256(inner), 64);
  return sha256(outer);
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
