// The built main (out/main/index.js) driven under plain Node with a fake 'electron'
// injected through Module._load. No Electron binary can run on the test machines, so
// this is where main.ts's wiring is checked end to end: what happens before ready, the
// window's webPreferences, the session and webContents guards, both protocols, the IPC
// sender check with a real studio behind it, the event fan-out, and the quit sequence.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type Envelope } from '@shared/contract';
import { PRODUCTION_CSP } from '../../src-main/app/app-csp';
import { REPO_ROOT, tempDir } from '../helpers/studio';

const MAIN = path.join(REPO_ROOT, 'out', 'main', 'index.js');
const built = fs.existsSync(MAIN);
const NOT_BUILT = 'out/main/index.js is not built: run `npx electron-vite build` first to check the main bundle';

type Fn = (...args: never[]) => unknown;
type LoadFn = (request: string, parent: { filename?: string } | null | undefined, isMain: boolean) => unknown;

interface FakeEvent {
  url?: string;
  preventDefault(): void;
  defaultPrevented: boolean;
}
const fakeEvent = (extra: { url?: string } = {}): FakeEvent => {
  const e = {
    ...extra,
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true;
    },
  };
  return e;
};

class FakeWebContents extends EventEmitter {
  mainFrame = { url: '' };
  sent: unknown[][] = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
    this.openHandler = fn;
  }
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  isDestroyed() {
    return false;
  }
}

function makeFakeElectron(log: string[]) {
  let markReady: () => void = () => undefined;
  let ready = false;
  const readyPromise = new Promise<void>((resolve) => {
    markReady = () => {
      ready = true;
      log.push('ready');
      resolve();
    };
  });
  const windows: FakeBrowserWindow[] = [];
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    enableSandbox: () => log.push('enableSandbox'),
    setPath: (name: string, value: string) => log.push(`setPath:${name}=${value}`),
    requestSingleInstanceLock: () => {
      log.push('requestSingleInstanceLock');
      return true;
    },
    whenReady: () => readyPromise,
    isReady: () => ready,
    getAppPath: () => REPO_ROOT,
    getVersion: () => '9.9.9-test',
    quit: () => {
      log.push('quit');
      app.emit('before-quit', fakeEvent());
      const e = fakeEvent();
      app.emit('will-quit', e);
      if (!e.defaultPrevented) log.push('exited');
    },
    exit: (code: number) => log.push(`exit:${code}`),
  });

  class FakeBrowserWindow extends EventEmitter {
    webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
      super();
      windows.push(this);
      app.emit('web-contents-created', fakeEvent(), this.webContents);
    }
    loadURL(url: string) {
      this.loadedUrl = url;
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    show() {}
    focus() {}
    restore() {}
  }

  const protocolHandlers = new Map<string, (req: Request) => Promise<Response>>();
  const privileged: { scheme: string; privileges?: Record<string, boolean> }[] = [];
  const ipcHandlers = new Map<string, Fn>();
  const sessionHandlers: Record<string, Fn> = {};
  const session = Object.assign(new EventEmitter(), {
    setPermissionRequestHandler: (fn: Fn) => (sessionHandlers.request = fn),
    setPermissionCheckHandler: (fn: Fn) => (sessionHandlers.check = fn),
    setDevicePermissionHandler: (fn: Fn) => (sessionHandlers.device = fn),
    webRequest: { onHeadersReceived: (fn: Fn) => (sessionHandlers.headers = fn) },
  });

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: { scheme: string }[]) => {
        log.push(`registerSchemesAsPrivileged:${schemes.map((s) => s.scheme).join(',')}`);
        privileged.push(...schemes);
      },
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) => protocolHandlers.set(scheme, fn),
    },
    net: {
      fetch: async (url: string) => new Response(new Uint8Array(await fs.promises.readFile(fileURLToPath(url)))),
    },
    session: { defaultSession: session },
    ipcMain: {
      handle: (channel: string, fn: Fn) => ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => ipcHandlers.delete(channel),
    },
    safeStorage: {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: () => {
        throw new Error('unavailable');
      },
      decryptString: () => {
        throw new Error('unavailable');
      },
    },
    shell: { openExternal: () => Promise.resolve(), showItemInFolder: () => undefined },
    dialog: {
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
      showErrorBox: (title: string, body: string) => log.push(`showErrorBox:${title}:${body}`),
      showMessageBox: (...args: unknown[]) => {
        log.push(`showMessageBox:${JSON.stringify(args.at(-1))}`);
        return Promise.resolve({ response: 2, checkboxChecked: false });
      },
    },
  };
  return { electron, app, markReady, windows, protocolHandlers, privileged, ipcHandlers, sessionHandlers };
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the bundle is built (npm test builds before the suites)', () => {
  expect(built, NOT_BUILT).toBe(true);
});

describe.runIf(built)('built main bundle (out/main/index.js) with a fake electron', () => {
  const log: string[] = [];
  let fake: ReturnType<typeof makeFakeElectron>;
  let dataDir: string;
  const savedEnv = { dir: process.env.FLUX_STUDIO_DATA_DIR, renderer: process.env.ELECTRON_RENDERER_URL };
  let listenersBefore: Fn[] = [];

  const appFrameEvent = () => ({ senderFrame: { url: 'app://studio/index.html', parent: null } });
  const invoke = async (event: unknown, name: string, payload: unknown = {}) => {
    const h = fake.ipcHandlers.get(IPC_CALL_CHANNEL) as ((e: unknown, n: unknown, p: unknown) => Promise<Envelope<unknown>>) | undefined;
    if (!h) throw new Error('no IPC handler');
    return h(event, name, payload);
  };

  beforeAll(() => {
    dataDir = tempDir('flux-studio-main-');
    process.env.FLUX_STUDIO_DATA_DIR = dataDir;
    delete process.env.ELECTRON_RENDERER_URL;
    listenersBefore = process.listeners('unhandledRejection') as Fn[];
    fake = makeFakeElectron(log);
    const mod = Module as unknown as { _load: LoadFn };
    const original = mod._load;
    mod._load = function (this: unknown, request, parent, isMain) {
      if (request === 'electron' && parent?.filename === MAIN) return fake.electron;
      return original.call(this, request, parent, isMain);
    };
    try {
      const req = createRequire(__filename);
      delete req.cache[MAIN];
      req(MAIN);
    } finally {
      mod._load = original;
    }
  });

  afterAll(() => {
    for (const l of process.listeners('unhandledRejection')) {
      if (!listenersBefore.includes(l as Fn)) process.removeListener('unhandledRejection', l);
    }
    if (savedEnv.dir === undefined) delete process.env.FLUX_STUDIO_DATA_DIR;
    else process.env.FLUX_STUDIO_DATA_DIR = savedEnv.dir;
    if (savedEnv.renderer !== undefined) process.env.ELECTRON_RENDERER_URL = savedEnv.renderer;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('before ready: sandbox on, schemes privileged, userData = data dir, single-instance lock', () => {
    expect(log).toEqual([
      'enableSandbox',
      'registerSchemesAsPrivileged:app,app-media',
      `setPath:userData=${dataDir}`,
      'requestSingleInstanceLock',
    ]);
    const app = fake.privileged.find((s) => s.scheme === 'app');
    const media = fake.privileged.find((s) => s.scheme === 'app-media');
    expect(app?.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    expect(media?.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, stream: true });
    expect(app?.privileges?.corsEnabled).toBeFalsy();
    expect(media?.privileges?.corsEnabled).toBeFalsy();
    expect(app?.privileges?.bypassCSP).toBeFalsy();
    expect(fake.windows.length).toBe(0);
  });

  test('on ready: one hardened window loading app://studio/index.html', async () => {
    fake.markReady();
    await waitFor(() => fake.windows.length === 1, 'the window');
    const win = fake.windows[0];
    if (!win) throw new Error('no window');
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      preload: path.join(REPO_ROOT, 'out', 'preload', 'index.cjs'),
    });
    expect(win.options.webPreferences.webviewTag).not.toBe(true);
    expect(win.options.show).toBe(false);
    expect(win.loadedUrl).toBe('app://studio/index.html');
    expect(fs.existsSync(path.join(dataDir, 'studio.db'))).toBe(true);
  });

  test('the session denies every permission', () => {
    const granted: boolean[] = [];
    fake.sessionHandlers.request?.(...([null, 'media', (ok: boolean) => granted.push(ok), {}] as never[]));
    expect(granted).toEqual([false]);
    expect(fake.sessionHandlers.check?.(...([null, 'notifications', 'app://studio', {}] as never[]))).toBe(false);
    expect(fake.sessionHandlers.device?.(...([{}] as never[]))).toBe(false);
    expect(fake.sessionHandlers.headers).toBeUndefined(); // no dev-server CSP rewriting outside dev
  });

  test('the window cannot navigate away, open windows or attach webviews', () => {
    const wc = fake.windows[0]?.webContents;
    if (!wc) throw new Error('no window');
    const away = fakeEvent({ url: 'https://example.com/' });
    wc.emit('will-frame-navigate', away);
    expect(away.defaultPrevented).toBe(true);
    const nav = fakeEvent({ url: 'file:///etc/passwd' });
    wc.emit('will-navigate', nav);
    expect(nav.defaultPrevented).toBe(true);
    const redirect = fakeEvent({ url: 'http://evil.example/' });
    wc.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
    const same = fakeEvent({ url: 'app://studio/index.html#/gallery' });
    wc.emit('will-frame-navigate', same);
    expect(same.defaultPrevented).toBe(false);
    expect(wc.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(wc.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const webview = fakeEvent();
    wc.emit('will-attach-webview', webview, {}, {});
    expect(webview.defaultPrevented).toBe(true);
  });

  test('app:// serves the built renderer with the CSP; app-media:// serves only under its roots', async () => {
    const appHandler = fake.protocolHandlers.get('app');
    const media = fake.protocolHandlers.get('app-media');
    if (!appHandler || !media) throw new Error('protocols not handled');
    const res = await appHandler(new Request('app://studio/index.html'));
    expect(res.headers.get('content-security-policy')).toBe(PRODUCTION_CSP);
    if (fs.existsSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
    expect((await appHandler(new Request('app://studio/..%2f..%2fpackage.json'))).status).toBe(403);

    const outputs = path.join(dataDir, 'outputs');
    fs.mkdirSync(outputs, { recursive: true });
    fs.writeFileSync(path.join(outputs, 'a.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const ok = await media(new Request('app-media://output/a.png'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect((await media(new Request('app-media://output/..%2Fstudio.db'))).status).toBe(403);
  });

  test('IPC: the app top frame reaches the studio; anything else is forbidden', async () => {
    const settings = await invoke(appFrameEvent(), 'settings.get');
    expect(settings.ok).toBe(true);
    const info = await invoke(appFrameEvent(), 'app.info');
    expect(info).toMatchObject({ ok: true, data: { transport: 'electron', version: '9.9.9-test', dataDir, dataDirSource: 'env', canPickFolders: true } });
    const secrets = await invoke(appFrameEvent(), 'secrets.status');
    expect(secrets).toMatchObject({ ok: true, data: { backend: 'safeStorage (basic_text)' } });
    if (secrets.ok) expect((secrets.data as { unavailableReason: string | null }).unavailableReason).toMatch(/keyring/i);

    for (const event of [
      { senderFrame: null },
      { senderFrame: { url: 'app://studio/index.html', parent: { url: 'app://studio/index.html', parent: null } } },
      { senderFrame: { url: 'file:///index.html', parent: null } },
      { senderFrame: { url: 'http://localhost:5173/', parent: null } },
    ]) {
      const res = await invoke(event, 'settings.get');
      expect(res.ok === false && res.error.code).toBe('forbidden');
    }
  });

  test('events reach the window on studio:event', async () => {
    const wc = fake.windows[0]?.webContents;
    if (!wc) throw new Error('no window');
    wc.sent.length = 0;
    const target = path.join(dataDir, 'elsewhere');
    const res = await invoke(appFrameEvent(), 'settings.update', { outputDir: target });
    expect(res.ok).toBe(true);
    const changed = wc.sent.find((args) => args[0] === IPC_EVENT_CHANNEL && args[1] === 'settings.changed');
    expect(changed?.[2]).toMatchObject({ outputDir: target });
  });

  test('quitting closes the studio once, then exits', async () => {
    fake.app.quit();
    await waitFor(() => log.includes('exited'), 'the app to exit');
    // The user's quit, the one after the RunPod check (no pods running here: nothing asked,
    // src-main/app/quit-prompt.ts), and the deferred one after studio.close().
    expect(log.filter((l) => l === 'quit').length).toBe(3);
    expect(log.filter((l) => l.startsWith('showMessageBox:'))).toEqual([]);
    expect(fake.ipcHandlers.has(IPC_CALL_CHANNEL)).toBe(false);
    // The database was closed: another process can take an exclusive lock on it.
    const Database = createRequire(__filename)('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };
    const db = new Database(path.join(dataDir, 'studio.db'));
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    db.close();
  });
});

