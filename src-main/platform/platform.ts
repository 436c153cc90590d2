// What the OS offers that only a desktop app can do. The Electron app implements it in
// src-main/app/; the CLI and serve use the headless one, and the UI adapts (folder
// fields become text inputs, links open in the browser's own tab).
export interface Platform {
  readonly transport: 'electron' | 'http';
  readonly canPickFolders: boolean;
  /** Only ever called with a parsed https: URL. */
  openExternal(url: URL): Promise<boolean>;
  pickFolder(opts: { title?: string; defaultPath?: string }): Promise<string | null>;
  revealPath(file: string): Promise<boolean>;
  /** Move a file to the OS trash (desktop); absent or false: the caller keeps it. */
  trash?(file: string): Promise<boolean>;
  /** Open a file in its default app (desktop). */
  openPath?(file: string): Promise<boolean>;
}

export const headlessPlatform: Platform = {
  transport: 'http',
  canPickFolders: false,
  openExternal: () => Promise.resolve(false),
  pickFolder: () => Promise.resolve(null),
  revealPath: () => Promise.resolve(false),
};

/** The only URLs the studio ever hands to the OS: parsed, https:, no credentials. */
export function parseExternalUrl(text: string): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.hostname === '') return null;
  return url;
}
