// The renderer's Content-Security-Policy. The renderer makes no network calls (main
// does), runs only its own bundled scripts, and shows images from app-media: (gallery
// files under allow-listed roots), data: and blob:. Pure: unit-tested without electron.
import { rendererCsp } from '../security/renderer-csp';
import { MEDIA_SCHEME } from './origins';

export const PRODUCTION_CSP = rendererCsp({ extraImgSources: [`${MEDIA_SCHEME}:`] });

/**
 * For `electron-vite dev` only: the page comes from the dev server, which also serves
 * scripts and styles, pushes updates over a WebSocket (HMR) and injects an inline
 * React-refresh preamble (hence 'unsafe-inline' for scripts, in dev only). Never used
 * in a packaged app (devServerOrigin() is null there).
 */
export function devCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  return [
    `default-src 'self' ${devOrigin}`,
    `script-src 'self' 'unsafe-inline' ${devOrigin}`,
    `style-src 'self' 'unsafe-inline' ${devOrigin}`,
    `img-src 'self' ${devOrigin} ${MEDIA_SCHEME}: data: blob:`,
    `connect-src 'self' ${devOrigin} ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Headers every app:// response carries. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': PRODUCTION_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}
