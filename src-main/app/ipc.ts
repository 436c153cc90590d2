// The IPC transport: one invoke channel for calls, one send channel for events (the
// same two channels the preload uses). The sender is checked before anything else:
// only the top frame of the app's own page may call (VS Code's validated ipcMain,
// Electron checklist §17); then the studio's dispatch validates the name and payload
// against the contract. Only electron's types are imported, so vitest drives it with
// fakes.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Envelope } from '@shared/contract';
import type { Dispatch } from '../api/dispatch';
import type { Logger } from '../logging/logger';
import type { EventBus } from '../core/event-bus';
import { isTrustedSender, type SenderFrameInfo, type TrustedOrigins } from './trusted-sender';

export type EventSink = Pick<WebContents, 'send' | 'isDestroyed' | 'mainFrame'>;

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dispatch: Dispatch;
  events: Pick<EventBus, 'subscribe'>;
  origins: TrustedOrigins;
  /** Where events go: the main window's webContents, or null while there is none. */
  eventTarget: () => EventSink | null;
  log: Logger;
}

export const FORBIDDEN_ENVELOPE: Envelope<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'This caller is not allowed to use the studio API.' },
};

/** What the check needs from event.senderFrame; null when the frame is gone. */
export function describeSenderFrame(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): SenderFrameInfo | null {
  try {
    const frame = event.senderFrame;
    if (!frame) return null;
    return { url: frame.url, isTopFrame: frame.parent === null };
  } catch {
    // Reading a frame that is being torn down can throw: treat it as gone.
    return null;
  }
}

/** Registers the call handler and the event fan-out; returns a function undoing both. */
export function registerIpc(opts: IpcOptions): () => void {
  const { ipcMain, dispatch, origins, log } = opts;

  ipcMain.handle(IPC_CALL_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, payload: unknown): Promise<Envelope<unknown>> => {
    const frame = describeSenderFrame(event);
    if (!isTrustedSender(frame, origins)) {
      const who = frame === null ? 'a destroyed or unknown frame' : `${frame.isTopFrame ? 'top frame' : 'sub-frame'} ${frame.url.slice(0, 200)}`;
      const what = typeof name === 'string' ? name.slice(0, 80) : typeof name;
      log.warn(`refused IPC call ${what} from ${who}`);
      return FORBIDDEN_ENVELOPE;
    }
    return dispatch(name, payload);
  });

  const unsubscribe = opts.events.subscribe((name, payload) => {
    const target = opts.eventTarget();
    if (target === null || target.isDestroyed()) return;
    // Events carry job and log data: send them only while the window shows the app itself.
    if (!isTrustedSender({ url: target.mainFrame.url, isTopFrame: true }, origins)) return;
    target.send(IPC_EVENT_CHANNEL, name, payload);
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
  };
}
