// app://studio/<path> → a file under the built renderer (out/renderer), and nothing else.
// The path is percent-decoded once, `..`/`.` segments and NUL are refused, and the result
// is checked again after resolving symlinks (realpath containment), so neither an encoded
// traversal nor a symlink inside the bundle can reach outside it. Pure Node, no electron.
import fs from 'node:fs';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './origins';

export type AssetResolution =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404 | 405; reason: string };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Resolve a request URL against the renderer folder. `/` serves index.html; a path
 * without an extension that names no file also serves index.html (client-side routes);
 * anything with an extension must exist.
 */
export function resolveAppAsset(rendererRoot: string, requestUrl: string, method = 'GET'): AssetResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: `method ${method} not allowed` };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'malformed URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return { ok: false, status: 404, reason: `not an ${APP_SCHEME}://${APP_HOST}/ URL` };
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (rel.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  const parts = rel.split(/[\\/]+/).filter((p) => p.length > 0);
  if (parts.some((p) => p === '..' || p === '.')) return { ok: false, status: 403, reason: 'path traversal refused' };
  if (parts.some((p) => /^[A-Za-z]:/.test(p))) return { ok: false, status: 403, reason: 'drive path refused' };

  let realRoot: string;
  try {
    realRoot = fs.realpathSync(rendererRoot);
  } catch {
    return { ok: false, status: 404, reason: 'renderer is not built' };
  }
  const wanted = parts.length === 0 ? ['index.html'] : parts;
  const found = containedFile(realRoot, path.join(realRoot, ...wanted));
  if (found.ok) return { ok: true, file: found.file, contentType: contentTypeFor(found.file) };
  if (found.status === 404 && parts.length > 0 && path.extname(parts[parts.length - 1] ?? '') === '') {
    const index = containedFile(realRoot, path.join(realRoot, 'index.html'));
    if (index.ok) return { ok: true, file: index.file, contentType: contentTypeFor(index.file) };
  }
  return found;
}

function containedFile(realRoot: string, candidate: string): AssetResolution {
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  const inside = path.relative(realRoot, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    return { ok: false, status: 403, reason: 'outside the renderer folder' };
  }
  let isFile = false;
  try {
    isFile = fs.statSync(real).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) return { ok: false, status: 404, reason: 'not a file' };
  return { ok: true, file: real, contentType: contentTypeFor(real) };
}
