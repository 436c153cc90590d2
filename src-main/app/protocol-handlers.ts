// The request handlers behind the app:// and app-media:// schemes, as plain
// Request → Response functions (no electron import): protocols.ts registers them with
// protocol.handle, and vitest drives them directly with Node's Request.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { MEDIA_TYPES, resolveMediaPath, type MediaRoots } from '../media/media-roots';
import type { Logger } from '../logging/logger';
import { resolveAppAsset } from './app-assets';
import { appResponseHeaders } from './app-csp';

type Handler = (request: Request) => Promise<Response>;

function textResponse(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra },
  });
}

/** app://studio/… → the built renderer (out/renderer), with the CSP on every response. */
export function createAppHandler(rendererRoot: string, log: Logger): Handler {
  return async (request) => {
    const found = resolveAppAsset(rendererRoot, request.url, request.method);
    if (!found.ok) {
      log.warn(`app:// ${found.status} for ${request.url.slice(0, 200)}: ${found.reason}`);
      const extra: Record<string, string> = found.status === 405 ? { Allow: 'GET, HEAD' } : {};
      return textResponse(found.status, `${found.status} ${found.reason}`, { ...appResponseHeaders('text/plain; charset=utf-8'), ...extra });
    }
    const body = request.method === 'HEAD' ? null : new Uint8Array(await fs.promises.readFile(found.file));
    return new Response(body, { status: 200, headers: appResponseHeaders(found.contentType) });
  };
}

/** How a media file's bytes are read: net.fetch(file:// URL) in the app, fs in tests. */
export type FetchFile = (fileUrl: string) => Promise<Response>;

/**
 * app-media://<root>/<path> → a file under an allow-listed root (output, thumbs,
 * datasets), resolved by resolveMediaPath (decode once, no traversal, realpath
 * containment, image extensions only). The roots are read per request, so a changed
 * output folder applies at once.
 */
export function createMediaHandler(roots: () => MediaRoots, fetchFile: FetchFile, log: Logger): Handler {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, `405 method ${request.method} not allowed`, { Allow: 'GET, HEAD' });
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return textResponse(400, '400 malformed URL');
    }
    const found = resolveMediaPath(roots(), url.host, url.pathname);
    if (!found.ok) {
      log.debug(`app-media:// ${found.status} for ${request.url.slice(0, 200)}: ${found.reason}`);
      return textResponse(found.status, `${found.status} ${found.reason}`);
    }
    let upstream: Response;
    try {
      upstream = await fetchFile(pathToFileURL(found.file).toString());
    } catch (err) {
      log.warn(`app-media:// could not read ${found.file}`, err);
      return textResponse(404, '404 unreadable file');
    }
    if (!upstream.ok) return textResponse(404, '404 unreadable file');
    const type = MEDIA_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'Content-Type': type,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    };
    const length = upstream.headers.get('content-length');
    if (length !== null) headers['Content-Length'] = length;
    if (request.method === 'HEAD') {
      await upstream.body?.cancel();
      return new Response(null, { status: 200, headers });
    }
    return new Response(upstream.body, { status: 200, headers });
  };
}

/** A FetchFile over fs, for tests and as a fallback where net.fetch is unavailable. */
export const fsFetchFile: FetchFile = async (fileUrl) => {
  const data = await fs.promises.readFile(new URL(fileUrl));
  return new Response(new Uint8Array(data), { status: 200, headers: { 'content-length': String(data.byteLength) } });
};
