// The desktop Platform: system browser, native folder picker, reveal in the file manager.
// Electron's modules are passed in (main.ts hands over shell and dialog), so this file
// only imports electron's types and vitest can drive it with fakes.
import path from 'node:path';
import type { BaseWindow, Dialog, Shell } from 'electron';
import type { Logger } from '../logging/logger';
import { parseExternalUrl, type Platform } from '../platform/platform';

export interface ElectronPlatformDeps {
  shell: Pick<Shell, 'openExternal' | 'showItemInFolder'> & Partial<Pick<Shell, 'trashItem' | 'openPath'>>;
  dialog: Pick<Dialog, 'showOpenDialog'>;
  /** The window dialogs are modal to; null when there is none. */
  parentWindow: () => BaseWindow | null;
  log: Pick<Logger, 'warn'>;
}

export function createElectronPlatform(deps: ElectronPlatformDeps): Platform {
  const { shell, dialog, log } = deps;
  return {
    transport: 'electron',
    canPickFolders: true,

    async openExternal(url: URL): Promise<boolean> {
      // The handler already parsed it; check again here, at the last step before the OS.
      const checked = parseExternalUrl(url.href);
      if (!checked) {
        log.warn(`refused to open a non-https URL externally: ${url.protocol}`);
        return false;
      }
      try {
        await shell.openExternal(checked.href, { activate: true });
        return true;
      } catch (err) {
        log.warn(`could not open ${checked.origin} in the system browser`, err);
        return false;
      }
    },

    async pickFolder(opts: { title?: string; defaultPath?: string }): Promise<string | null> {
      const options = {
        title: opts.title ?? 'Choose a folder',
        ...(opts.defaultPath !== undefined && path.isAbsolute(opts.defaultPath) ? { defaultPath: opts.defaultPath } : {}),
        properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] as Array<'openDirectory' | 'createDirectory' | 'dontAddToRecent'>,
      };
      const parent = deps.parentWindow();
      const result = parent && !parent.isDestroyed() ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      if (result.canceled) return null;
      const picked = result.filePaths[0];
      return picked !== undefined && path.isAbsolute(picked) ? picked : null;
    },

    revealPath(file: string): Promise<boolean> {
      // The handler allows only the studio's own folders; an absolute path is required here too.
      if (!path.isAbsolute(file) || file.includes('\0')) return Promise.resolve(false);
      shell.showItemInFolder(path.normalize(file));
      return Promise.resolve(true);
    },

    async trash(file: string): Promise<boolean> {
      if (!shell.trashItem || !path.isAbsolute(file) || file.includes('\0')) return false;
      try {
        await shell.trashItem(path.normalize(file));
        return true;
      } catch (err) {
        log.warn(`could not move ${path.basename(file)} to the system trash`, err);
        return false;
      }
    },

    async openPath(file: string): Promise<boolean> {
      if (!shell.openPath || !path.isAbsolute(file) || file.includes('\0')) return false;
      const error = await shell.openPath(path.normalize(file));
      if (error) log.warn(`could not open ${path.basename(file)}: ${error}`);
      return error === '';
    },
  };
}
