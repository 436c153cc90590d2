// The two custom schemes. `app` serves the built renderer instead of file:// (so the page
// has a real origin, CSP headers and no file-system reach); `app-media` serves gallery
// images from allow-listed roots only. Both are registered as privileged (standard,
// secure) before the app is ready, and handled after.
import { net, protocol, type CustomScheme } from 'electron';
import type { MediaRoots } from '../media/media-roots';
import type { Logger } from '../logging/logger';
import { APP_SCHEME, MEDIA_SCHEME } from './origins';
import { createAppHandler, createMediaHandler } from './protocol-handlers';

/**
 * Neither scheme is corsEnabled: the page's own modules are same-origin, and <img> loads
 * of app-media:// need no CORS, so other origins can never read these bytes. Only the
 * media scheme streams (large images); the app scheme answers small bundle files whole.
 */
export const PRIVILEGED_SCHEMES: CustomScheme[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
];

/** Must run before the app's ready event (Electron refuses it later). */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);
}

export interface ProtocolOptions {
  /** The built renderer folder (out/renderer). */
  rendererRoot: string;
  mediaRoots: () => MediaRoots;
  log: Logger;
}

/** After ready: answer app:// and app-media:// on the default session. */
export function handleProtocols(opts: ProtocolOptions): void {
  protocol.handle(APP_SCHEME, createAppHandler(opts.rendererRoot, opts.log));
  // bypassCustomProtocolHandlers: the file:// read goes straight to Chromium's file
  // loader, never back through a handler of ours.
  protocol.handle(
    MEDIA_SCHEME,
    createMediaHandler(opts.mediaRoots, (fileUrl) => net.fetch(fileUrl, { bypassCustomProtocolHandlers: true }), opts.log),
  );
}
