// The renderer's one way to talk to main. Picks the transport (the Electron preload's
// window.studio, or HTTP+WebSocket when the page is served by `flux-studio serve`) and
// turns envelopes into values or thrown StudioCallErrors, so UI code reads
// `await studio.settings.get()`.
import type { RawStudioApi } from '@shared/studio-api';
import {
  events,
  type CallName,
  type CallRequest,
  type CallResponse,
  type Envelope,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type MediaRoot,
  type StudioErrorShape,
} from '@shared/contract';
import { createHttpTransport, type ConnectionState, type HttpStudioApi } from './http-transport';

export class StudioCallError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly call: string;

  constructor(call: string, shape: StudioErrorShape) {
    super(shape.message);
    this.name = 'StudioCallError';
    this.code = shape.code;
    this.field = shape.field;
    this.call = call;
  }

  /** The message without the "call: field:" prefix main adds, for showing next to the field. */
  get fieldMessage(): string {
    let msg = this.message;
    const prefix = `${this.call}: `;
    if (msg.startsWith(prefix)) msg = msg.slice(prefix.length);
    if (this.field && msg.startsWith(`${this.field}: `)) msg = msg.slice(this.field.length + 2);
    return msg.charAt(0).toUpperCase() + msg.slice(1);
  }
}

type Namespace<K extends string> = K extends `${infer N}.${string}` ? N : never;
// The request argument is optional whenever an empty request is valid (e.g. `studio.app.info()`).
type ClientFn<K extends CallName> =
  Record<never, never> extends CallRequest<K>
    ? (req?: CallRequest<K>) => Promise<CallResponse<K>>
    : (req: CallRequest<K>) => Promise<CallResponse<K>>;

export type StudioCalls = {
  [N in Namespace<CallName>]: { [K in CallName as K extends `${N}.${infer V}` ? V : never]: ClientFn<K> };
};

export type StudioClient = StudioCalls & {
  transport: RawStudioApi['transport'];
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  mediaUrl(root: MediaRoot, relativePath: string): string;
  /** The local path of a dropped/picked File in the desktop app; null in the browser (upload its bytes instead). */
  pathForFile(file: File): string | null;
  /** After the event stream recovers from a drop (HTTP only): re-fetch what events would have told you. */
  onReconnect(listener: () => void): () => void;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  connectionState(): ConnectionState;
  /** Browser only: one chunk of a dropped file into an upload (raw bytes on serve's upload route). */
  uploadChunk(req: { uploadId: string; file: string; offset: number; bytes: Blob }): Promise<{ received: number }>;
};

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function isHttp(api: RawStudioApi): api is HttpStudioApi {
  return api.transport === 'http' && typeof (api as Partial<HttpStudioApi>).onReconnect === 'function';
}

export function createClient(raw: RawStudioApi): StudioClient {
  const calls: Record<string, Record<string, (req?: unknown) => Promise<unknown>>> = {};
  for (const ns of Object.keys(raw.calls)) {
    const group = (raw.calls as unknown as Record<string, Record<string, (req?: unknown) => Promise<Envelope<unknown>>>>)[ns];
    if (!group) continue;
    const out: Record<string, (req?: unknown) => Promise<unknown>> = {};
    for (const verb of Object.keys(group)) {
      const name = `${ns}.${verb}` as CallName;
      const fn = group[verb];
      if (!fn) continue;
      out[verb] = async (req?: unknown) => {
        let env: Envelope<unknown>;
        try {
          env = await fn(req ?? {});
        } catch (err) {
          throw new StudioCallError(name, { code: 'internal', message: `${name} failed: ${errorMessage(err)}` });
        }
        if (env.ok) return env.data;
        throw new StudioCallError(name, env.error);
      };
    }
    calls[ns] = out;
  }

  const http = isHttp(raw) ? raw : null;
  return {
    ...(calls as unknown as StudioCalls),
    transport: raw.transport,
    on(event, listener) {
      const schema = events[event];
      return raw.on(event, (payload) => {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          console.warn(`dropping malformed ${event} event`, parsed.error.issues[0]);
          return;
        }
        listener(parsed.data as EventPayload<typeof event>);
      });
    },
    mediaUrl: (root, rel) => raw.mediaUrl(root, rel),
    pathForFile: (file) => raw.pathForFile?.(file) ?? null,
    onReconnect: (cb) => (http ? http.onReconnect(cb) : () => undefined),
    onConnectionChange: (cb) => (http ? http.onConnectionChange(cb) : () => undefined),
    connectionState: () => (http ? http.connectionState() : 'open'),
    async uploadChunk({ uploadId, file, offset, bytes }) {
      if (!http) throw new StudioCallError('upload', { code: 'unavailable', message: 'uploads are for the browser; the desktop app imports by path' });
      const env = await http.uploadChunk(uploadId, file, offset, bytes);
      if (env.ok) return env.data;
      throw new StudioCallError('upload', env.error);
    },
  };
}

function pickTransport(): RawStudioApi {
  return window.studio ?? createHttpTransport();
}

export const studio: StudioClient = createClient(pickTransport());
