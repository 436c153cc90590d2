// Replies serve sends itself (not the contract's envelopes): short plain text or a JSON
// envelope, never a stack, always with the headers that stop sniffing and leaking.
import type http from 'node:http';
import type { ErrorCode } from '@shared/contract';

export const BASE_HEADERS: http.OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** A plain-text answer; `close` asks the client to drop the connection after it. */
export function sendText(res: http.ServerResponse, status: number, body: string, opts: { close?: boolean; headers?: http.OutgoingHttpHeaders } = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    ...(opts.close ? { Connection: 'close' } : {}),
    ...opts.headers,
  });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, opts: { close?: boolean } = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json', ...(opts.close ? { Connection: 'close' } : {}) });
  res.end(JSON.stringify(value));
}

/** A failed envelope, the shape the page's transport reads for every /api/ answer. */
export function errorEnvelope(code: ErrorCode, message: string, field = '(request)') {
  return { ok: false as const, error: { code, message, field } };
}
