// Which files the renderer may load as images: only those under an allow-listed root
// (output folder, thumbnails, datasets), checked after resolving symlinks, so neither
// `../`, an absolute path, an encoded traversal nor a symlink can reach anything else.
// Shared by the Electron app-media:// protocol and serve's /media/ route.
import fs from 'node:fs';
import path from 'node:path';
import { MediaRoot } from '@shared/contract';

/** Folders per root; 'source' maps a gallery source id (the path's first segment) to its folder. */
export type MediaRoots = Record<Exclude<MediaRoot, 'source'>, string> & { sources: Readonly<Record<string, string>> };

export type MediaResolution = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

const ALLOWED_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.bmp']);

export const MEDIA_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
};

/** `encodedPath` is the URL path after the root, still percent-encoded. */
export function resolveMediaPath(roots: MediaRoots, rootName: string, encodedPath: string): MediaResolution {
  const root = MediaRoot.safeParse(rootName);
  if (!root.success) return { ok: false, status: 404, reason: `unknown media root ${JSON.stringify(rootName)}` };
  let rel: string;
  try {
    rel = decodeURIComponent(encodedPath);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (rel.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  const parts = rel.split(/[\\/]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return { ok: false, status: 404, reason: 'no file named' };
  if (parts.some((p) => p === '..' || p === '.')) return { ok: false, status: 403, reason: 'path traversal refused' };
  if (path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || rel.startsWith('\\\\')) {
    // A leading "/" is stripped by the split above for URL paths; a drive letter or UNC is never valid here.
    if (/^[A-Za-z]:/.test(rel) || rel.startsWith('\\\\')) return { ok: false, status: 403, reason: 'absolute path refused' };
  }
  const ext = path.extname(parts[parts.length - 1] ?? '').toLowerCase();
  if (!ALLOWED_EXT.has(ext)) return { ok: false, status: 403, reason: `not an image type (${ext || 'no extension'})` };

  let base: string;
  if (root.data === 'source') {
    const id = parts.shift() ?? '';
    const folder = Object.prototype.hasOwnProperty.call(roots.sources, id) ? roots.sources[id] : undefined;
    if (folder === undefined || parts.length === 0) return { ok: false, status: 404, reason: `unknown gallery source ${JSON.stringify(id.slice(0, 40))}` };
    base = folder;
  } else {
    base = roots[root.data];
  }
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = fs.realpathSync(base);
    realFile = fs.realpathSync(path.join(base, ...parts));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  const inside = path.relative(realRoot, realFile);
  // "..name.png" is a file inside; only ".." itself or "../…" leaves the root.
  if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    return { ok: false, status: 403, reason: 'outside the allowed folder' };
  }
  if (!fs.statSync(realFile).isFile()) return { ok: false, status: 404, reason: 'not a file' };
  return { ok: true, file: realFile };
}
