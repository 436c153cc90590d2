// The sandboxed preload: exposes `window.studio`, generated from the contract. The page
// gets verbs and an event subscription, never ipcRenderer or a generic send(channel).
// Built as CommonJS and bundled (a sandboxed preload cannot require node_modules or ESM).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildRawCalls, encodeMediaPath, type RawStudioApi } from './api-types';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  isEventName,
  type EventName,
  type EventPayload,
  type Envelope,
  type MediaRoot,
} from './contract';

type Listener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<Listener>>();

// One IPC listener for all events; page callbacks are called with the payload only, so
// the IpcRendererEvent (which exposes `sender`) never reaches the page.
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (!isEventName(name)) return;
  for (const cb of listeners.get(name) ?? []) {
    try {
      cb(payload);
    } catch (err) {
      console.error('studio event listener failed', err);
    }
  }
});

const api: RawStudioApi = {
  transport: 'electron',
  calls: buildRawCalls((name, request) => ipcRenderer.invoke(IPC_CALL_CHANNEL, name, request) as Promise<Envelope<unknown>>),
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const cb = listener as Listener;
    set.add(cb);
    return () => set.delete(cb);
  },
  mediaUrl(root: MediaRoot, relativePath: string): string {
    return `app-media://${root}/${encodeMediaPath(relativePath)}`;
  },
};

contextBridge.exposeInMainWorld('studio', api);
