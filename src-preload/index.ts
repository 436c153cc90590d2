// The sandboxed preload: exposes `window.studio`, generated from the contract. The page
// gets verbs and an event subscription, never ipcRenderer or a generic send(channel).
// Built as CommonJS and bundled (a sandboxed preload cannot require node_modules or ESM).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { buildRawCalls, createEventHub, encodeMediaPath, type RawStudioApi } from '@shared/studio-api';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Envelope, type MediaRoot } from '@shared/contract';

const hub = createEventHub();

// One IPC listener for all events; page callbacks are called with the payload only, so
// the IpcRendererEvent (which exposes `sender`) never reaches the page.
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => hub.emit(name, payload));

const api: RawStudioApi = {
  transport: 'electron',
  calls: buildRawCalls((name, request) => ipcRenderer.invoke(IPC_CALL_CHANNEL, name, request) as Promise<Envelope<unknown>>),
  on: hub.on,
  mediaUrl(root: MediaRoot, relativePath: string): string {
    return `app-media://${root}/${encodeMediaPath(relativePath)}`;
  },
  pathForFile(file: File): string | null {
    try {
      return webUtils.getPathForFile(file) || null;
    } catch {
      return null;
    }
  },
};

contextBridge.exposeInMainWorld('studio', api);
