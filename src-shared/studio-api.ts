// The shape of `window.studio`, generated from the contract: verbs grouped by namespace
// (`studio.settings.get()`), an `on(event, cb)` that returns an unsubscribe function, and
// `mediaUrl()` for images. The same builder makes the Electron preload's object and the
// browser client's object, so the renderer never knows which transport it has.
import {
  CALL_NAMES,
  type CallName,
  type CallRequest,
  type CallResponse,
  type Envelope,
  isEventName,
  type EventName,
  type EventPayload,
  type MediaRoot,
} from './contract';

type Namespace<K extends string> = K extends `${infer N}.${string}` ? N : never;
// The argument is optional when every field is (a strict empty object's input type is
// Record<string, never>, which `Partial<T> extends T` alone does not catch).
type AllOptional<T> = Record<string, never> extends T ? true : Partial<T> extends T ? true : false;
type CallFn<K extends CallName, R> = AllOptional<CallRequest<K>> extends true
  ? (req?: CallRequest<K>) => Promise<R>
  : (req: CallRequest<K>) => Promise<R>;

/** Calls answer envelopes: errors cross process and contextBridge boundaries as data. */
export type RawCalls = {
  [N in Namespace<CallName>]: {
    [K in CallName as K extends `${N}.${infer V}` ? V : never]: CallFn<K, Envelope<CallResponse<K>>>;
  };
};

export interface RawStudioApi {
  calls: RawCalls;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** A URL the page can put in <img src> for a file under an allow-listed root (over HTTP: signed, valid for about an hour; src-shared/media-signature.ts). */
  mediaUrl(root: MediaRoot, relativePath: string): string;
  transport: 'electron' | 'http';
  /** Electron only: the local path of a dropped or picked File (webUtils.getPathForFile); absent over HTTP. */
  pathForFile?: (file: File) => string | null;
}

export type Invoke = (name: CallName, request: unknown) => Promise<Envelope<unknown>>;

export function buildRawCalls(invoke: Invoke): RawCalls {
  const out: Record<string, Record<string, (req?: unknown) => Promise<Envelope<unknown>>>> = {};
  for (const name of CALL_NAMES) {
    const dot = name.indexOf('.');
    const ns = name.slice(0, dot);
    const verb = name.slice(dot + 1);
    (out[ns] ??= {})[verb] = (req?: unknown) => invoke(name, req ?? {});
  }
  return out as unknown as RawCalls;
}

export function encodeMediaPath(relativePath: string): string {
  return relativePath
    .split(/[\\/]/)
    .filter((s) => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
}

type AnyListener = (payload: unknown) => void;

/**
 * Listeners per contract event, for both transports: `on` for the page, `emit` for the
 * transport when a message arrives. Unknown event names are ignored on emit and refused
 * on subscribe; one failing listener does not stop the others.
 */
export function createEventHub(): Pick<RawStudioApi, 'on'> & { emit(name: unknown, payload: unknown): void } {
  const listeners = new Map<EventName, Set<AnyListener>>();
  return {
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
      const set = listeners.get(event) ?? new Set<AnyListener>();
      listeners.set(event, set);
      const cb = listener as AnyListener;
      set.add(cb);
      return () => {
        set.delete(cb);
      };
    },
    emit(name, payload) {
      if (!isEventName(name)) return;
      for (const cb of listeners.get(name) ?? []) {
        try {
          cb(payload);
        } catch (err) {
          console.error('studio event listener failed', err);
        }
      }
    },
  };
}
