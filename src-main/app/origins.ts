// The origins the studio's own pages live at. No electron import: shared by main.ts and
// the pure checks (trusted-sender.ts, app-assets.ts) that vitest runs in plain Node.

/** The renderer is served from app://studio/ (a privileged standard scheme, not file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Images under allow-listed roots: app-media://<root>/<percent-encoded relative path>. */
export const MEDIA_SCHEME = 'app-media';

/**
 * `scheme://host[:port]` of an absolute URL, or null when it has no host-based origin
 * (file:///, about:blank, data:, opaque or malformed URLs, or any URL carrying
 * credentials). Node's URL answers origin "null" for non-special schemes such as app:,
 * so the origin is assembled here the same way for app: and http(s):. Nothing is
 * lower-cased beyond what the URL parser does: an unexpected spelling fails closed.
 */
export function originOf(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '' || url.host === '') return null;
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  if (!/^[a-z][a-z0-9+.-]*:$/.test(url.protocol)) return null;
  return `${url.protocol}//${url.host}`;
}

/**
 * The dev server's origin (electron-vite dev sets ELECTRON_RENDERER_URL), or null. Only
 * an unpackaged app honours it, and only an http(s) loopback URL: a packaged app never
 * trusts a page because of an environment variable.
 */
export function devServerOrigin(rendererUrl: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || rendererUrl === undefined || rendererUrl.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(rendererUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (!loopback || url.username !== '' || url.password !== '') return null;
  return url.origin;
}
