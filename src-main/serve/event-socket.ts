// The event stream (/api/events): a one-way WebSocket, server → page. The upgrade listener
// is where a throw used to kill the process (issue 17), so everything in it is guarded: the
// target is parsed without throwing, Host/Origin are checked first, then the path, then the
// token (an Authorization header, or the auth subprotocol a browser can send), and only then
// is the handshake completed. A refusal is a short HTTP answer on the raw socket.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PROTOCOL } from '@shared/serve-protocol';
import type { EventBus } from '../core/event-bus';
import type { ServeAuth } from './auth';
import type { RefusalLog } from './refusal-log';
import { parseTarget } from './request-target';
import { siteRefusal, type ServedHosts } from './site-guard';

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

export interface EventSocket {
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function eventSocket(events: EventBus, auth: ServeAuth, served: () => ServedHosts, refusals: RefusalLog): EventSocket {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // Answer with the events protocol only: echoing the auth entry would send the token back.
    handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  const unsubscribe = events.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  const refuse = (req: http.IncomingMessage, socket: Duplex, status: number, why: string) => {
    refusals.refused('UPGRADE', req.url, status, why);
    if (socket.writable) socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  };

  return {
    upgrade(req, socket, head) {
      // A reset mid-handshake must not become an unhandled 'error' event.
      socket.on('error', () => socket.destroy());
      try {
        const url = parseTarget(req.url);
        if (url === null) return refuse(req, socket, 400, 'malformed request target');
        const crossSite = siteRefusal(req.headers, served());
        if (crossSite) return refuse(req, socket, 403, crossSite);
        if (url.pathname !== '/api/events') return refuse(req, socket, 404, 'no WebSocket here');
        if (!auth.bearer(req.headers) && !auth.socketProtocol(req.headers)) return refuse(req, socket, 401, 'no valid token');
        wss.handleUpgrade(req, socket, head, (ws) => {
          sockets.add(ws);
          ws.on('close', () => sockets.delete(ws));
          ws.on('error', () => sockets.delete(ws));
          // Anything the page sends is ignored.
        });
      } catch (err) {
        refuse(req, socket, 400, `upgrade failed (${(err as Error).message.slice(0, 100)})`);
      }
    },
    close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}
