// The browser transport for `flux-studio serve`: the same RawStudioApi the Electron
// preload exposes, over HTTP (calls) and a WebSocket (events). Auth is a bearer token
// printed by `serve`; the first page load (/?token=…) also gets an HttpOnly cookie, so
// same-origin fetches and the WebSocket are authenticated even without the header.
import { buildRawCalls, createEventHub, encodeMediaPath, type RawStudioApi } from '@shared/studio-api';
import { type CallName, type Envelope, type MediaRoot, type StudioErrorShape } from '@shared/contract';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** What the HTTP transport offers beyond RawStudioApi: the event socket's health. */
export interface HttpStudioApi extends RawStudioApi {
  transport: 'http';
  /** Called after the event socket comes back from a drop (not on the first connect). */
  onReconnect(listener: () => void): () => void;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  connectionState(): ConnectionState;
}

const TOKEN_KEY = 'flux-studio.token';
const FORBIDDEN_MESSAGE =
  'This studio server needs its access token. Open the address that `flux-studio serve` printed (it ends in /?token=…).';


/** Reads ?token= from the address once, keeps it for this tab and removes it from the address bar. */
export function captureToken(loc: Location = window.location, storage: Storage | null = safeSessionStorage()): string | null {
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

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
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

  async function invoke(name: CallName, request: unknown): Promise<Envelope<unknown>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await doFetch(`${base}/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(request ?? {}),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      return failure('unavailable', `Cannot reach the studio server at ${window.location.host}. Is \`flux-studio serve\` still running?`);
    }
    if (res.status === 401 || res.status === 403) return failure('forbidden', FORBIDDEN_MESSAGE);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return failure('internal', `${name}: the studio server answered HTTP ${res.status} without a readable reply.`);
    }
    if (isEnvelope(body)) return body;
    return failure('internal', `${name}: the studio server answered HTTP ${res.status} with an unexpected reply.`);
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
      ws = new WS(wsUrl());
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
      return `${base}/media/${encodeURIComponent(root)}/${encodeMediaPath(relativePath)}`;
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
