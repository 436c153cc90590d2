// Session-wide hardening (Electron security checklist §5, §7): no permission is ever
// granted (camera, notifications, USB, HID, serial, …), nothing is downloaded behind the
// user's back, and in dev the dev server's responses get a CSP too (app:// responses
// carry theirs from the protocol handler).
import type { Session } from 'electron';
import type { Logger } from '../logging/logger';
import { devCsp } from './app-csp';
import { originOf } from './origins';

export interface SessionSecurityOptions {
  /** The electron-vite dev server origin, or null (always null in a package). */
  devOrigin: string | null;
  log: Logger;
}

export function hardenSession(ses: Session, opts: SessionSecurityOptions): void {
  const { log } = opts;
  ses.setPermissionRequestHandler((_webContents, permission, callback) => {
    log.warn(`denied permission request: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The studio saves files itself (main writes them); a page-initiated download is never wanted.
  ses.on('will-download', (event, item) => {
    log.warn(`blocked a download of ${item.getURL().slice(0, 200)}`);
    event.preventDefault();
  });

  const devOrigin = opts.devOrigin;
  if (devOrigin !== null) {
    const policy = devCsp(devOrigin);
    ses.webRequest.onHeadersReceived((details, callback) => {
      if (originOf(details.url) !== devOrigin) {
        callback({});
        return;
      }
      const headers: Record<string, string | string[]> = { ...(details.responseHeaders ?? {}) };
      for (const key of Object.keys(headers)) {
        if (key.toLowerCase() === 'content-security-policy') delete headers[key];
      }
      headers['Content-Security-Policy'] = [policy];
      callback({ responseHeaders: headers });
    });
  }
}
