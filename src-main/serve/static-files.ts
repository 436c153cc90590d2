// The built renderer (out/renderer): served without the token, since it is the same code
// for everyone and holds no data (everything the page shows comes from /api/ and /media/,
// which need it). Paths stay inside the folder; client-side routes fall back to the shell.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { rendererCsp } from '../security/renderer-csp';
import { BASE_HEADERS, sendText } from './replies';
import { safeDecode } from './request-target';

/** No app-media: here; images come from the same origin's /media/ route. */
export const SERVE_CSP = rendererCsp();

/** The cookie older versions set; a browser that still has it is told to drop it. */
const OLD_TOKEN_COOKIE = 'flux_studio_token';

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** True when `child` (already resolved) is `dir` itself or inside it; "..name" files are inside. */
export function isInside(dir: string, child: string): boolean {
  const rel = path.relative(dir, child);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

export async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, rendererDir: string, urlPath: string): Promise<void> {
  const rel = safeDecode(urlPath);
  if (rel === null || rel.includes('\0')) return sendText(res, 400, 'Bad path');
  const candidate = path.resolve(rendererDir, '.' + (rel === '/' ? '/index.html' : rel));
  if (!isInside(rendererDir, candidate)) return sendText(res, 403, 'Forbidden');
  let file = candidate;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    // ENAMETOOLONG, ENOTDIR, EACCES…: nothing we can serve under that name.
    st = undefined;
  }
  if (!st?.isFile()) {
    if (path.extname(rel) !== '') return sendText(res, 404, 'Not found');
    file = path.join(rendererDir, 'index.html');
    if (!fs.existsSync(file)) return sendText(res, 503, 'The renderer is not built. Run `npm run build` first.');
  }
  const headers: http.OutgoingHttpHeaders = {
    ...BASE_HEADERS,
    'Content-Type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': SERVE_CSP,
    'X-Frame-Options': 'DENY',
  };
  if (new RegExp(`(?:^|;)\\s*${OLD_TOKEN_COOKIE}=`).test(req.headers.cookie ?? '')) {
    headers['Set-Cookie'] = `${OLD_TOKEN_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`;
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  await pipeline(fs.createReadStream(file), res).catch(() => res.destroy());
}
