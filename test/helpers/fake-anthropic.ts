// A local stand-in for the Anthropic Messages API: a real HTTP server on 127.0.0.1 that
// speaks the documented wire format, so tests drive the real @anthropic-ai/sdk (pointed at
// it with `baseURL`) through real sockets, retries and timeouts.
//
// - POST /v1/messages only (404 not_found_error otherwise), a known `anthropic-version`
//   header (400 without; 2026-10-21 rejects temperature/top_p/top_k as the real API does), the key in `x-api-key` or `Authorization: Bearer` (401
//   authentication_error when it is not the expected one), and a JSON body with model,
//   max_tokens and messages (400 invalid_request_error otherwise);
// - then the next queued reply: a `message` object, an error in Anthropic's format
//   ({type:'error', error:{type, message}}) with its status and headers (retry-after …),
//   a raw body (for malformed answers), a reply that never comes, or a dropped connection.
// Every request is recorded, including ones rejected before reaching the queue.
// - Or, for concurrent clients whose request order is not fixed: a responder function
//   (`respondWith`) that picks the reply from the request itself (e.g. the image it carries);
//   it answers every request that passes the checks while it is set, the queue is not used.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or null when it was not JSON. */
  body: MessagesBody | null;
  /** The key the client sent and how ('x-api-key' header or 'Authorization: Bearer'). */
  apiKey: string | null;
  authScheme: 'x-api-key' | 'bearer' | null;
}

export interface MessagesBody {
  model: string;
  max_tokens: number;
  messages: Array<{ role: string; content: unknown }>;
  system?: unknown;
  temperature?: number;
  [key: string]: unknown;
}

export type FakeReply =
  /** A successful `message`; `text` is shorthand for content [{type:'text', text}]. */
  | { kind: 'message'; text?: string; content?: unknown[]; stopReason?: string; model?: string; delayMs?: number; headers?: Record<string, string> }
  /** An error in Anthropic's format. `type` defaults from the status (429 → rate_limit_error …). */
  | { kind: 'error'; status: number; type?: string; message: string; headers?: Record<string, string> }
  /** Any status and body, verbatim (content-type application/json unless headers say otherwise). */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** Read the request and never answer (the socket stays open until the server closes). */
  | { kind: 'hang' }
  /** Read the request, then destroy the socket without a response. */
  | { kind: 'drop' };

/** The Messages API versions the server knows: 2026-10-21 rejects temperature/top_p/top_k. */
export const API_VERSIONS = ['2023-06-01', '2026-10-21'];

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Picks the reply for a request that passed the checks (may be async, e.g. to decode an image). */
export type FakeResponder = (req: FakeRequest & { body: MessagesBody }) => FakeReply | Promise<FakeReply>;

export class FakeAnthropic {
  readonly requests: FakeRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private responder: FakeResponder | null = null;
  private readonly hanging = new Set<http.ServerResponse>();
  private seq = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    /** The only key accepted; null accepts any non-empty key. */
    readonly apiKey: string | null,
  ) {}

  static async start(opts: { apiKey?: string | null } = {}): Promise<FakeAnthropic> {
    let fake: FakeAnthropic | null = null;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => fake?.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeAnthropic(server, `http://127.0.0.1:${port}`, opts.apiKey === undefined ? null : opts.apiKey);
    return fake;
  }

  /** Queue replies, answered in order, one per request that passes the checks. */
  reply(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Answer every (checked) request with `fn` instead of the queue; null goes back to the queue. */
  respondWith(fn: FakeResponder | null): this {
    this.responder = fn;
    return this;
  }

  replyText(text: string): this {
    return this.reply({ kind: 'message', text });
  }

  replyError(status: number, message: string, headers?: Record<string, string>): this {
    return this.reply({ kind: 'error', status, message, headers });
  }

  /** Requests that reached POST /v1/messages. */
  get messageRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
  }

  get pending(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): void {
    const requestId = `req_fake_${String(++this.seq).padStart(4, '0')}`;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: MessagesBody | null = null;
    try {
      body = JSON.parse(rawBody) as MessagesBody;
    } catch {
      body = null;
    }
    const xApiKey = header(req, 'x-api-key');
    const bearer = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1] ?? null;
    const record: FakeRequest = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      rawBody,
      body,
      apiKey: xApiKey ?? bearer,
      authScheme: xApiKey ? 'x-api-key' : bearer ? 'bearer' : null,
    };
    this.requests.push(record);

    const error = (status: number, message: string, headers: Record<string, string> = {}, type = errorType(status)) =>
      send(res, status, { type: 'error', error: { type, message } }, { 'request-id': requestId, ...headers });

    if (req.method !== 'POST' || path !== '/v1/messages') return error(404, `Not found: ${req.method} ${path}`);
    const version = header(req, 'anthropic-version');
    if (!version) return error(400, 'anthropic-version: header is required');
    if (!API_VERSIONS.includes(version)) return error(400, `anthropic-version: unknown version ${version}`);
    if (!record.apiKey) return error(401, 'x-api-key header is required');
    if (this.apiKey !== null && record.apiKey !== this.apiKey) return error(401, 'invalid x-api-key');
    if (!/^application\/json\b/i.test(header(req, 'content-type') ?? '')) return error(400, 'content-type must be application/json');
    if (body === null || typeof body !== 'object') return error(400, 'The request body is not valid JSON.');
    const bad = checkBody(body, version);
    if (bad) return error(400, bad);

    if (this.responder) {
      const checked = { ...record, body };
      Promise.resolve()
        .then(() => this.responder!(checked))
        .then(
          (reply) => this.answer(req, res, reply, body, rawBody, requestId),
          (err: unknown) => error(500, `fake-anthropic: the responder failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      return;
    }
    const next = this.queue.shift();
    if (!next) return error(500, 'fake-anthropic: no reply queued for this request');
    this.answer(req, res, next, body, rawBody, requestId);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, next: FakeReply, body: MessagesBody, rawBody: string, requestId: string): void {
    const error = (status: number, message: string, headers: Record<string, string> = {}, type = errorType(status)) =>
      send(res, status, { type: 'error', error: { type, message } }, { 'request-id': requestId, ...headers });
    switch (next.kind) {
      case 'message': {
        const content = next.content ?? [{ type: 'text', text: next.text ?? '' }];
        const message = {
          id: `msg_fake_${String(this.seq).padStart(4, '0')}`,
          type: 'message',
          role: 'assistant',
          content,
          model: next.model ?? body.model,
          stop_reason: next.stopReason ?? 'end_turn',
          stop_sequence: null,
          usage: {
            input_tokens: Math.ceil(rawBody.length / 4),
            output_tokens: Math.ceil(JSON.stringify(content).length / 4),
          },
        };
        const answer = () => send(res, 200, message, { 'request-id': requestId, ...next.headers });
        if (next.delayMs) setTimeout(answer, next.delayMs);
        else answer();
        return;
      }
      case 'error':
        return error(next.status, next.message, next.headers, next.type ?? errorType(next.status));
      case 'raw':
        res.writeHead(next.status, { 'content-type': 'application/json', 'request-id': requestId, ...next.headers });
        res.end(next.body);
        return;
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'drop':
        req.socket.destroy();
        return;
    }
  }
}

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v && v.length > 0 ? v : null;
}

function checkBody(body: MessagesBody, version: string): string | null {
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of body.messages.entries()) {
    if (m === null || typeof m !== 'object' || !['user', 'assistant'].includes(m.role)) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages.${i}.content: Input should be a valid list`;
    if (Array.isArray(m.content)) {
      for (const [j, block] of (m.content as unknown[]).entries()) {
        const bad = checkContentBlock(block);
        if (bad) return `messages.${i}.content.${j}.${bad}`;
      }
    }
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) return 'system: Input should be a valid string';
  // API version 2026-10-21 removed the sampling parameters: any value is a 400.
  if (version >= '2026-10-21') {
    const sampling = ['temperature', 'top_p', 'top_k'].find((k) => k in body);
    if (sampling) return `${sampling}: Extra inputs are not permitted`;
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
    return 'temperature: Input should be less than or equal to 1';
  }
  return null;
}

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/** Text and base64 image blocks as the Messages API documents them; null when fine. */
function checkContentBlock(block: unknown): string | null {
  if (block === null || typeof block !== 'object') return 'type: Field required';
  const b = block as { type?: unknown; text?: unknown; source?: { type?: unknown; media_type?: unknown; data?: unknown } };
  if (b.type === 'text') return typeof b.text === 'string' && b.text.length > 0 ? null : 'text: must be a non-empty string';
  if (b.type === 'image') {
    const src = b.source;
    if (!src || typeof src !== 'object') return 'source: Field required';
    if (src.type !== 'base64') return src.type === 'url' ? null : "source.type: Input should be 'base64' or 'url'";
    if (!IMAGE_MEDIA_TYPES.includes(String(src.media_type))) return `source.media_type: Input should be one of ${IMAGE_MEDIA_TYPES.join(', ')}`;
    if (typeof src.data !== 'string' || src.data.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(src.data)) return 'source.data: Input should be base64';
    return null;
  }
  return `type: Input tag '${String(b.type)}' is not an accepted block type here`;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
