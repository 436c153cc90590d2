// Who may call the studio over IPC: only the top frame of a page served from the app's
// own origin (or, in an unpackaged dev run, the electron-vite dev server). Sub-frames,
// file://, other custom-scheme hosts and anything unparsable are refused. Pure: no
// electron import, so the hostile cases are unit-tested in plain Node.
import { originOf } from './origins';

export interface SenderFrameInfo {
  /** The frame's current URL (WebFrameMain.url). */
  url: string;
  /** WebFrameMain.parent === null. */
  isTopFrame: boolean;
}

export interface TrustedOrigins {
  /** Always the app's own origin, app://studio. */
  appOrigin: string;
  /** The dev server's origin in `electron-vite dev`; null otherwise (always in a package). */
  devOrigin: string | null;
}

export function isTrustedOrigin(url: string, origins: TrustedOrigins): boolean {
  const origin = originOf(url);
  if (origin === null) return false;
  if (origin === origins.appOrigin) return true;
  return origins.devOrigin !== null && origin === origins.devOrigin;
}

/** `frame` is null when the sender frame navigated away or was destroyed: refused. */
export function isTrustedSender(frame: SenderFrameInfo | null | undefined, origins: TrustedOrigins): boolean {
  if (!frame || frame.isTopFrame !== true || typeof frame.url !== 'string') return false;
  return isTrustedOrigin(frame.url, origins);
}
