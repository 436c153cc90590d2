// GET /media/<root>/<path>: images under the allow-listed roots (media/media-roots.ts), for
// a holder of the token (Bearer) or of a valid signed URL (what <img> tags use).
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MEDIA_TYPES, resolveMediaPath, type MediaRoots } from '../media/media-roots';
import type { ServeAuth } from './auth';
import { sendText } from './replies';

export async function serveMedia(req: http.IncomingMessage, res: http.ServerResponse, url: URL, auth: ServeAuth, roots: () => MediaRoots): Promise<{ refused: string } | null> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Use GET');
    return null;
  }
  if (!auth.bearer(req.headers)) {
    const signed = auth.mediaSignature(url);
    if (!signed.ok) {
      sendText(res, 401, `Unauthorized: media links need a valid signature (${signed.reason}); reload the page.`);
      return { refused: signed.reason };
    }
  }
  const [, , root = '', ...rest] = url.pathname.split('/');
  const found = resolveMediaPath(roots(), root, rest.join('/'));
  if (!found.ok) {
    sendText(res, found.status, found.reason);
    return null;
  }
  res.writeHead(200, {
    'Content-Type': MEDIA_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream',
    // Signed URLs stay the same for a while (media-signature.ts), so the browser's cache works.
    'Cache-Control': 'private, max-age=600',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  if (req.method === 'HEAD') {
    res.end();
    return null;
  }
  await pipeline(fs.createReadStream(found.file), res).catch(() => res.destroy());
  return null;
}
