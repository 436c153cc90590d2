// POST /api/upload/<uploadId>?file=<rel>&offset=<n>: one chunk of a dropped file as raw
// bytes (application/octet-stream), at most MAX_UPLOAD_CHUNK_BYTES — the same constant the
// page slices files by. Base64 in JSON (datasets.upload) cost a third more bytes and did not
// fit serve's JSON body limit (issue 17). Answers are contract-style envelopes.
import type http from 'node:http';
import { MAX_UPLOAD_CHUNK_BYTES, UploadChunkQuery, UploadId } from '@shared/contract/datasets';
import { UPLOAD_ROUTE } from '@shared/serve-protocol';
import { StudioError } from '../core/studio-error';
import type { DatasetService } from '../datasets/dataset-service';
import type { Logger } from '../logging/logger';
import { errorEnvelope, sendJson } from './replies';
import { readBody } from './request-body';
import { safeDecode } from './request-target';

export async function receiveUploadChunk(req: http.IncomingMessage, res: http.ServerResponse, url: URL, datasets: DatasetService, log: Logger): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, errorEnvelope('invalid_input', 'upload: use POST'));
  if (!(req.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
    return sendJson(res, 415, errorEnvelope('invalid_input', 'upload: send the bytes as application/octet-stream'));
  }
  const id = UploadId.safeParse(safeDecode(url.pathname.slice(UPLOAD_ROUTE.length)) ?? '');
  if (!id.success) return sendJson(res, 400, errorEnvelope('invalid_input', `uploadId: ${id.error.issues[0]?.message ?? 'invalid'}`, 'uploadId'));
  const query = UploadChunkQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    const issue = query.error.issues[0];
    const field = String(issue?.path[0] ?? '(request)');
    return sendJson(res, 400, errorEnvelope('invalid_input', `upload: ${field}: ${issue?.message ?? 'invalid'}`, field));
  }
  const body = await readBody(req, res, MAX_UPLOAD_CHUNK_BYTES, `upload: a chunk is at most ${MAX_UPLOAD_CHUNK_BYTES / 2 ** 20} MiB (send the file in slices of that size)`);
  if (body === null) return;
  try {
    const data = datasets.uploads.receive(id.data, query.data.file, query.data.offset, body);
    sendJson(res, 200, { ok: true, data });
  } catch (err) {
    if (err instanceof StudioError) return sendJson(res, 200, { ok: false, error: err.toShape() });
    log.error('upload chunk failed', err);
    sendJson(res, 500, errorEnvelope('internal', 'upload: the chunk could not be stored (see the server log)'));
  }
}
