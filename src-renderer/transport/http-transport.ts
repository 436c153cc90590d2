// The browser transport for `flux-studio serve`: the same RawStudioApi the Electron
// preload exposes, over HTTP (calls) and a WebSocket (events). Auth is the bearer token
// printed by `serve` (/?token=…), kept in this origin's localStorage and never in a cookie
// (cookies reach every server on the host, whatever its port; storage is scoped to scheme,
// host and port, and is never sent by itself), so a second tab opened without ?token works
// too. Calls send it as a header,
// the event socket offers it as a subprotocol, and media URLs carry a short-lived signature
// made from it (src-shared/media-signature.ts). See docs/architecture.md ("serve").
import { buildRawCalls, createEventHub, encodeMediaPath, type RawStudioApi } from '@shared/studio-api';
import { type CallName, type Envelope, type MediaRoot, type StudioErrorShape } from '@shared/contract';
import { MEDIA_EXP_PARAM, MEDIA_SIG_PARAM, mediaExpiry, mediaKey, signMediaPath } from '@shared/media-signature';
import { authProtocol, EVENTS_PROTOCOL, UPLOAD_ROUTE } from '@shared/serve-protocol';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** What the HTTP transport offers beyond RawStudioApi: the event socket's health. */
export interface HttpStudioApi extends RawStudioApi {
  transport: 'http';
  /** Called after the event socket comes back from a drop (not on the first connect). */
  onReconnect(listener: () => void): () => void;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  connectionState(): ConnectionState;
  /** One chunk of an uploaded file, as raw bytes on serve's upload route. */
  uploadChunk(uploadId: string, file: string, offset: number, bytes: Blob): Promise<Envelope<{ received: number }>>;
}

const TOKEN_KEY = 'flux-studio.token';
const FORBIDDEN_MESSAGE =
  'This studio server needs its access token. Open the address that `flux-studio serve` printed (it ends in /?token=…).';


/** Reads ?token= from the address once, keeps it for this origin and removes it from the address bar. */
export function captureToken(loc: Location = window.location, storage: Storage | null = safeLocalStorage()): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    storage?.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    const search = url.searchParams.toString();
    window.history.replaceState(window.history.state, '', `${url.pathname}${search ? `?${search}` : ''}${url.hash}`);
    return fromUrl;
  }
  return storage?.getItem(TOKEN_KEY) ?? null;
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function failure(code: StudioErrorShape['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: unknown };
  if (v.ok === true) return 'data' in value;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

export interface HttpTransportOptions {
  /** Origin-relative base, '' for the page's own server. */
  base?: string;
  token?: string | null;
  fetchImpl?: typeof fetch;
  WebSocketImpl?: typeof WebSocket;
}

export function createHttpTransport(opts: HttpTransportOptions = {}): HttpStudioApi {
  const base = opts.base ?? '';
  const token = opts.token === undefined ? captureToken() : opts.token;
  const doFetch = opts.fetchImpl ?? window.fetch.bind(window);
  const WS = opts.WebSocketImpl ?? window.WebSocket;

  const signingKey = token ? mediaKey(token) : null;
  /** Server clock minus ours (from replies' Date header), so signed media URLs expire by the server's clock. */
  let clockOffsetMs = 0;

  /** POSTs to the server and reads the envelope it answers (every /api/ route answers one). */
  async function post(what: string, url: string, contentType: string, body: BodyInit): Promise<Envelope<unknown>> {
    const headers: Record<string, string> = { 'Content-Type': contentType, Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await doFetch(url, { method: 'POST', headers, body, credentials: 'omit', cache: 'no-store' });
    } catch {
      return failure('unavailable', `Cannot reach the studio server at ${window.location.host}. Is \`flux-studio serve\` still running?`);
    }
    const date = Date.parse(res.headers.get('date') ?? '');
    if (Number.isFinite(date)) clockOffsetMs = date - Date.now();
    if (res.status === 401 || res.status === 403) return failure('forbidden', FORBIDDEN_MESSAGE);
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      return failure('internal', `${what}: the studio server answered HTTP ${res.status} without a readable reply.`);
    }
    if (isEnvelope(parsed)) return parsed;
    return failure('internal', `${what}: the studio server answered HTTP ${res.status} with an unexpected reply.`);
  }

  function invoke(name: CallName, request: unknown): Promise<Envelope<unknown>> {
    return post(name, `${base}/api/call/${encodeURIComponent(name)}`, 'application/json', JSON.stringify(request ?? {}));
  }

  // ---- events over one WebSocket, reconnecting with backoff ----
  const hub = createEventHub();
  const reconnectListeners = new Set<() => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let everOpened = false;
  let attempt = 0;
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const cb of stateListeners) cb(next);
  }

  function dispatch(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const { event, payload } = msg as { event?: unknown; payload?: unknown };
    hub.emit(event, payload);
  }

  function wsUrl(): string {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${window.location.host}${base}/api/events`;
  }

  function connect(): void {
    retryTimer = null;
    let ws: WebSocket;
    try {
      // The token rides in the handshake as a subprotocol (a browser WebSocket cannot set headers).
      ws = new WS(wsUrl(), token ? [EVENTS_PROTOCOL, authProtocol(token)] : [EVENTS_PROTOCOL]);
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('open');
      if (everOpened) {
        for (const cb of reconnectListeners) {
          try {
            cb();
          } catch (err) {
            console.error('reconnect listener failed', err);
          }
        }
      }
      everOpened = true;
    };
    ws.onmessage = (ev: MessageEvent) => dispatch(ev.data);
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      scheduleRetry();
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry.
    };
  }

  function scheduleRetry(): void {
    if (retryTimer !== null) return;
    setState(everOpened ? 'reconnecting' : 'connecting');
    const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    attempt = Math.min(attempt + 1, 10);
    retryTimer = setTimeout(connect, delay);
  }

  connect();

  return {
    transport: 'http',
    calls: buildRawCalls(invoke),
    on: hub.on,
    mediaUrl(root: MediaRoot, relativePath: string): string {
      const pathname = `${base}/media/${encodeURIComponent(root)}/${encodeMediaPath(relativePath)}`;
      if (!signingKey) return pathname;
      // The expiry is rounded up (mediaExpiry), so re-renders give the same URL and the browser cache works.
      const exp = mediaExpiry(Math.floor((Date.now() + clockOffsetMs) / 1000));
      return `${pathname}?${MEDIA_EXP_PARAM}=${exp}&${MEDIA_SIG_PARAM}=${signMediaPath(signingKey, pathname, exp)}`;
    },
    async uploadChunk(uploadId, file, offset, bytes) {
      const query = new URLSearchParams({ file, offset: String(offset) });
      const env = await post('upload', `${base}${UPLOAD_ROUTE}${encodeURIComponent(uploadId)}?${query.toString()}`, 'application/octet-stream', bytes);
      return env as Envelope<{ received: number }>;
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => {
        reconnectListeners.delete(listener);
      };
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    connectionState: () => state,
  };
}
