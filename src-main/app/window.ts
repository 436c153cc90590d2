// The one studio window, and the guards every webContents gets (checklist §2-4, §13-14):
// sandboxed, context-isolated, no Node in the page; no navigation away from the app's
// origin, no new windows (https links go to the system browser), no <webview>.
import { BrowserWindow, type WebContents } from 'electron';
import type { Logger } from '../logging/logger';
import { parseExternalUrl, type Platform } from '../platform/platform';
import { isTrustedOrigin, type TrustedOrigins } from './trusted-sender';

export interface GuardOptions {
  origins: TrustedOrigins;
  openExternal: Platform['openExternal'];
  log: Pick<Logger, 'warn'>;
}

/** Applied to every webContents the app creates (main.ts hooks web-contents-created). */
export function guardWebContents(contents: WebContents, opts: GuardOptions): void {
  const { origins, log } = opts;
  const refuse = (kind: string | null) => (event: { preventDefault(): void; url: string }) => {
    if (isTrustedOrigin(event.url, origins)) return;
    event.preventDefault();
    if (kind !== null) log.warn(`blocked ${kind} to ${event.url.slice(0, 200)}`);
  };
  // will-frame-navigate covers the main frame and sub-frames (and logs); will-navigate
  // is guarded too, silently, so that no single missed event type opens a hole.
  contents.on('will-frame-navigate', refuse('navigation'));
  contents.on('will-navigate', refuse(null));
  contents.on('will-redirect', refuse('redirect'));

  contents.setWindowOpenHandler((details) => {
    const url = parseExternalUrl(details.url);
    if (url) {
      void opts.openExternal(url).catch((err: unknown) => log.warn('openExternal failed', err));
    } else {
      log.warn(`blocked window.open of ${details.url.slice(0, 200)}`);
    }
    return { action: 'deny' };
  });

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('blocked a <webview>');
  });
}

export interface MainWindowOptions {
  preloadPath: string;
  /** app://studio/index.html, or the dev server URL under electron-vite dev. */
  url: string;
  log: Logger;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Flux Studio',
    backgroundColor: '#111317',
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_event, details) => {
    opts.log.error(`renderer process gone: ${details.reason} (exit code ${details.exitCode})`);
  });
  win.webContents.on('did-fail-load', (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (isMainFrame) opts.log.error(`window failed to load ${validatedURL.slice(0, 200)}: ${errorCode} ${errorDescription}`);
  });
  win.loadURL(opts.url).catch((err: unknown) => opts.log.error(`could not load ${opts.url}`, err));
  return win;
}
