// What the page served by `flux-studio serve` and the server agree on beyond the contract:
// how the event socket is authenticated and where raw upload chunks go. See
// docs/architecture.md ("serve").

/** The event socket's subprotocol; the server answers with it (never with the auth entry). */
export const EVENTS_PROTOCOL = 'flux-studio.events.v1';
/**
 * A browser's WebSocket cannot send an Authorization header, so the token travels as a
 * second offered subprotocol, `flux-studio.auth.<base64url(token)>`, which the server
 * checks before the handshake completes (nothing is sent to an unauthenticated socket).
 */
export const AUTH_PROTOCOL_PREFIX = 'flux-studio.auth.';

/** Raw bytes of one chunk: POST UPLOAD_ROUTE + <uploadId>?file=<rel>&offset=<n>, application/octet-stream. */
export const UPLOAD_ROUTE = '/api/upload/';

export function base64UrlEncode(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The subprotocol entry that carries `token`. */
export function authProtocol(token: string): string {
  return `${AUTH_PROTOCOL_PREFIX}${base64UrlEncode(token)}`;
}
