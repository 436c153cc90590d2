// How serve knows a request comes from someone holding the token (see docs/architecture.md,
// "serve"). No cookie ever carries it: cookies are not scoped by port, so any other server
// on 127.0.0.1 would receive it. Instead:
// - HTTP calls send `Authorization: Bearer <token>` (the page keeps the token in sessionStorage);
// - the event socket offers it as a subprotocol (browsers cannot set WebSocket headers);
// - media URLs (<img src>) carry a short-lived HMAC over their path and expiry, keyed by
//   HMAC(token, MEDIA_KEY_LABEL), which the page computes itself (src-shared/media-signature.ts).
import crypto from 'node:crypto';
import type http from 'node:http';
import {
  MEDIA_EXP_PARAM,
  MEDIA_KEY_LABEL,
  MEDIA_SIG_PARAM,
  MEDIA_URL_MAX_AHEAD_S,
  mediaSigningInput,
} from '@shared/media-signature';
import { AUTH_PROTOCOL_PREFIX } from '@shared/serve-protocol';

/** Constant-time string comparison that does not leak the length either (both sides hashed first). */
function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export type MediaCheck = { ok: true } | { ok: false; reason: string };

export class ServeAuth {
  private readonly mediaKey: Buffer;

  constructor(private readonly token: string) {
    this.mediaKey = crypto.createHmac('sha256', token).update(MEDIA_KEY_LABEL).digest();
  }

  /** `Authorization: Bearer <token>`. */
  bearer(headers: http.IncomingHttpHeaders): boolean {
    const auth = headers.authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') && sameSecret(auth.slice(7), this.token);
  }

  /** The token offered as a WebSocket subprotocol (`flux-studio.auth.<base64url>`). */
  socketProtocol(headers: http.IncomingHttpHeaders): boolean {
    const offered = headers['sec-websocket-protocol'];
    if (typeof offered !== 'string') return false;
    for (const p of offered.split(',')) {
      const entry = p.trim();
      if (!entry.startsWith(AUTH_PROTOCOL_PREFIX)) continue;
      const encoded = entry.slice(AUTH_PROTOCOL_PREFIX.length);
      if (!/^[A-Za-z0-9_-]{1,1024}$/.test(encoded)) return false;
      return sameSecret(Buffer.from(encoded, 'base64url').toString('utf8'), this.token);
    }
    return false;
  }

  /** A signed media URL: `?exp=<unix s>&sig=<hex HMAC>` over the path as sent, not expired, not too far ahead. */
  mediaSignature(url: URL, nowS = Math.floor(Date.now() / 1000)): MediaCheck {
    const expText = url.searchParams.get(MEDIA_EXP_PARAM);
    const sig = url.searchParams.get(MEDIA_SIG_PARAM);
    if (expText === null || sig === null) return { ok: false, reason: 'no signature' };
    if (!/^\d{1,12}$/.test(expText) || !/^[0-9a-f]{64}$/.test(sig)) return { ok: false, reason: 'malformed signature' };
    const exp = Number(expText);
    if (exp <= nowS) return { ok: false, reason: 'expired link' };
    if (exp > nowS + MEDIA_URL_MAX_AHEAD_S) return { ok: false, reason: 'expiry too far ahead' };
    const want = crypto.createHmac('sha256', this.mediaKey).update(mediaSigningInput(url.pathname, exp)).digest();
    return crypto.timingSafeEqual(want, Buffer.from(sig, 'hex')) ? { ok: true } : { ok: false, reason: 'bad signature' };
  }
}
