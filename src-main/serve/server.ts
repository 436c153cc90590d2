// `flux-studio serve`: the built renderer and the same contract over HTTP + WebSocket,
// for headless boxes and for testing the UI in a real browser. See docs/architecture.md
// ("serve") and README ("Serve in a browser").
//
// Every request passes, in order: a parse of its target that cannot throw (400), the site
// checks (site-guard.ts: Host, Origin, Sec-Fetch-Site → 403), then the route's own auth
// (auth.ts: a Bearer header for /api/, a signed URL or Bearer for /media/, none for the
// public renderer files). No listener lets an exception out: a last-resort catch logs it
// and answers, and the server keeps serving.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { isCallName } from '@shared/contract';
import { MAX_CALL_BODY_BYTES } from '@shared/contract/datasets';
import { UPLOAD_ROUTE } from '@shared/serve-protocol';
import type { Studio } from '../studio';
import { ServeAuth } from './auth';
import { eventSocket } from './event-socket';
import { serveMedia } from './media-route';
import { RefusalLog } from './refusal-log';
import { errorEnvelope, sendJson, sendText } from './replies';
import { readBody } from './request-body';
import { parseTarget, safeDecode } from './request-target';
import { servedHosts, siteRefusal, type ServedHosts } from './site-guard';
import { serveStatic } from './static-files';
import { receiveUploadChunk } from './upload-route';

export { SERVE_CSP } from './static-files';

export interface ServeOptions {
  studio: Studio;
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  /** The URL with the token, to open in a browser. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const UNAUTHORIZED = 'Unauthorized: open the URL printed by `flux-studio serve` (it carries the token).';

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const { studio } = opts;
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const log = studio.log.child('serve');
  const rendererDir = path.resolve(opts.rendererDir);
  const auth = new ServeAuth(token);
  const refusals = new RefusalLog(log);
  let served: ServedHosts = servedHosts(host, 0);

  const callRoute = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'POST') return sendText(res, 405, 'Use POST');
    // Requiring JSON also keeps HTML forms (which cannot send it) from posting here.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendText(res, 415, 'Send application/json');
    const name = safeDecode(url.pathname.slice('/api/call/'.length));
    if (name === null) return sendJson(res, 400, errorEnvelope('invalid_input', 'malformed percent-encoding in the call name'));
    const body = await readBody(req, res, MAX_CALL_BODY_BYTES, `request body over ${MAX_CALL_BODY_BYTES / 2 ** 20} MiB (upload files on ${UPLOAD_ROUTE})`);
    if (body === null) return;
    let payload: unknown;
    try {
      const text = body.toString('utf8');
      payload = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    } catch (err) {
      const envelope = { ok: false, error: { code: 'invalid_input', field: '(request)', message: `${isCallName(name) ? name : 'request'}: body is not valid JSON (${(err as Error).message})` } };
      return sendJson(res, 200, envelope);
    }
    sendJson(res, 200, await studio.dispatch(name, payload));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = parseTarget(req.url);
    if (url === null) {
      refusals.refused(req.method, req.url, 400, 'malformed request target');
      return sendText(res, 400, 'Bad request: malformed path');
    }
    const crossSite = siteRefusal(req.headers, served);
    if (crossSite) {
      refusals.refused(req.method, req.url, 403, crossSite);
      return sendText(res, 403, 'Forbidden: requests from other sites are not allowed');
    }
    const p = url.pathname;
    if (p.startsWith('/media/')) {
      const refused = await serveMedia(req, res, url, auth, () => studio.mediaRoots());
      if (refused) refusals.refused(req.method, req.url, 401, refused.refused);
      return;
    }
    if (p.startsWith('/api/')) {
      if (!auth.bearer(req.headers)) {
        refusals.refused(req.method, req.url, 401, 'no valid token');
        return sendText(res, 401, UNAUTHORIZED);
      }
      if (p.startsWith('/api/call/')) return callRoute(req, res, url);
      if (p.startsWith(UPLOAD_ROUTE)) return receiveUploadChunk(req, res, url, studio.datasets, log);
      return sendText(res, 404, 'Not found');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Use GET');
    return serveStatic(req, res, rendererDir, p);
  };

  /** The last resort: a bug in a handler is logged and answered, never the end of the server. */
  const failed = (res: http.ServerResponse, err: unknown) => {
    log.error('request failed (the server keeps running)', err);
    if (!res.headersSent) sendText(res, 500, 'Internal error (see the server log)');
    else res.destroy();
  };

  const server = http.createServer((req, res) => {
    try {
      handle(req, res).catch((err: unknown) => failed(res, err));
    } catch (err) {
      failed(res, err);
    }
  });
  const socket = eventSocket(studio.events, auth, () => served, refusals);
  server.on('upgrade', (req: http.IncomingMessage, sock, head: Buffer) => {
    try {
      socket.upgrade(req, sock, head);
    } catch (err) {
      log.error('upgrade failed (the server keeps running)', err);
      sock.destroy();
    }
  });

  // CONNECT (proxy tunnels) is nothing we serve; without a listener Node drops the socket unanswered.
  server.on('connect', (req: http.IncomingMessage, sock: Duplex) => {
    sock.on('error', () => sock.destroy());
    refusals.refused(req.method, req.url, 405, 'CONNECT');
    if (sock.writable) sock.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  served = servedHosts(host, port);
  server.on('error', (err) => log.error('server error', err));
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shownHost}:${port}`;
  log.debug(`serving ${rendererDir} on ${base}`);

  return {
    url: `${base}/`,
    openUrl: `${base}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    async close() {
      refusals.flush();
      socket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
