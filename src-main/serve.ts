// `flux-studio serve`: the built renderer and the same contract over HTTP + WebSocket,
// for headless boxes and for testing the UI in a real browser.
//
// Security model: bound to 127.0.0.1 by default; a random bearer token is required on
// every request (Authorization: Bearer, or the HttpOnly SameSite=Strict cookie the server
// sets when the page is first opened with ?token=); requests whose Origin or
// Sec-Fetch-Site show another site are refused, and the Host header must be one we
// serve (so a DNS-rebinding page cannot borrow the cookie).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isCallName } from '@shared/contract';
import { MEDIA_TYPES, resolveMediaPath } from './media/media-roots';
import { rendererCsp } from './security/renderer-csp';
import type { Studio } from './studio';

export const TOKEN_COOKIE = 'flux_studio_token';
const MAX_BODY = 1024 * 1024;

/** No app-media: here; images come from the same origin's /media/ route. */
export const SERVE_CSP = rendererCsp();

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

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const { studio } = opts;
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const log = studio.log.child('serve');
  const rendererDir = path.resolve(opts.rendererDir);
  let port = 0;

  const allowedHosts = (): Set<string> => {
    const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
    return new Set([...names].map((h) => `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`));
  };
  const allowedOrigins = (): Set<string> => new Set([...allowedHosts()].map((h) => `http://${h}`));

  /** Same-site checks, before auth: refuse cross-origin callers even if they hold the cookie. */
  const crossSiteReason = (req: http.IncomingMessage): string | null => {
    const hostHeader = req.headers.host ?? '';
    if (!allowedHosts().has(hostHeader)) return `unexpected Host ${hostHeader.slice(0, 100)}`;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return `cross-origin request from ${origin.slice(0, 100)}`;
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site') return 'cross-site request';
    return null;
  };

  const authenticated = (req: http.IncomingMessage, url: URL): boolean => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && safeEqual(auth.slice(7), token)) return true;
    const fromCookie = cookieToken(req.headers.cookie);
    if (fromCookie !== null && safeEqual(fromCookie, token)) return true;
    const fromQuery = url.searchParams.get('token');
    return fromQuery !== null && safeEqual(fromQuery, token);
  };

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new Error('body too large'));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const serveStatic = (res: http.ServerResponse, urlPath: string, setCookie: boolean): void => {
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath);
    } catch {
      return send(res, 400, 'Bad path');
    }
    const candidate = path.resolve(rendererDir, '.' + (rel === '/' ? '/index.html' : rel));
    const inside = path.relative(rendererDir, candidate);
    let file = candidate;
    if (inside.startsWith('..') || path.isAbsolute(inside)) return send(res, 403, 'Forbidden');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      // Client-side routes fall back to the app shell; missing assets are 404.
      if (path.extname(rel) !== '') return send(res, 404, 'Not found');
      file = path.join(rendererDir, 'index.html');
    }
    if (!fs.existsSync(file)) return send(res, 503, 'The renderer is not built. Run `npm run build` first.');
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': SERVE_CSP,
      'X-Frame-Options': 'DENY',
    };
    if (setCookie) headers['Set-Cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refused = crossSiteReason(req);
    if (refused) {
      log.warn(`refused ${req.method} ${url.pathname}: ${refused}`);
      return send(res, 403, 'Forbidden: cross-origin requests are not allowed');
    }
    if (!authenticated(req, url)) {
      return send(res, 401, 'Unauthorized: open the URL printed by `flux-studio serve` (it carries the token).');
    }

    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return send(res, 405, 'Use POST');
      const type = req.headers['content-type'] ?? '';
      // Requiring JSON also keeps HTML forms (which cannot send it) from posting here.
      if (!type.startsWith('application/json')) return send(res, 415, 'Send application/json');
      const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      let payload: unknown;
      try {
        const body = await readBody(req);
        payload = body.trim() === '' ? {} : (JSON.parse(body) as unknown);
      } catch (err) {
        const envelope = { ok: false, error: { code: 'invalid_input', field: '(request)', message: `${isCallName(name) ? name : 'request'}: body is not valid JSON (${(err as Error).message})` } };
        return send(res, 200, JSON.stringify(envelope), 'application/json');
      }
      const envelope = await studio.dispatch(name, payload);
      return send(res, 200, JSON.stringify(envelope), 'application/json');
    }

    if (url.pathname.startsWith('/media/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Use GET');
      const [, , root = '', ...rest] = url.pathname.split('/');
      const found = resolveMediaPath(studio.mediaRoots(), root, rest.join('/'));
      if (!found.ok) return send(res, found.status, found.reason);
      res.writeHead(200, {
        'Content-Type': MEDIA_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': 'private, max-age=60',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(found.file).pipe(res);
      return;
    }

    if (url.pathname.startsWith('/api/')) return send(res, 404, 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Use GET');
    serveStatic(res, url.pathname, url.searchParams.has('token'));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('request failed', err);
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  const unsubscribe = studio.events.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: number, why: string) => {
      log.warn(`refused WebSocket upgrade: ${why}`);
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api/events') return refuse(403, `unknown path ${url.pathname.slice(0, 80)}`);
    const crossSite = crossSiteReason(req);
    if (crossSite) return refuse(403, crossSite);
    if (!authenticated(req, url)) return refuse(401, 'no valid token');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      // The socket is one-way (server → page); anything the page sends is ignored.
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shownHost}:${port}`;
  log.debug(`serving ${rendererDir} on ${base}`);

  return {
    url: `${base}/`,
    openUrl: `${base}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
