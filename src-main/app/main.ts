// The desktop app's entry (built to out/main/index.js). It wires Electron to the
// Electron-free studio: one sandboxed window served from app://studio, one validated
// IPC channel pair, safeStorage for secrets, native dialogs for the platform. Everything
// the studio does lives in createStudio(); this file only owns the app's lifecycle.
import fs from 'node:fs';
import path from 'node:path';
import { app, dialog, ipcMain, safeStorage, session, shell, type BrowserWindow } from 'electron';
import { resolveDataDir } from '../paths/data-dir';
import { createStudio, type Studio } from '../studio';
import { dataDirFlag, findResourcesDir } from './args';
import { createElectronPlatform } from './electron-platform';
import { registerIpc } from './ipc';
import { APP_ENTRY_URL, APP_ORIGIN, devServerOrigin } from './origins';
import { handleProtocols, registerPrivilegedSchemes } from './protocols';
import { createSafeStorageCipher } from './safe-storage-cipher';
import { hardenSession } from './security';
import type { TrustedOrigins } from './trusted-sender';
import { createMainWindow, guardWebContents } from './window';
import { utilityProcessSpawner } from './local-worker-spawner';
import { confirmQuit } from './quit-prompt';

const CLOSE_TIMEOUT_MS = 10_000;

// ---- before ready: sandbox every renderer, privileged schemes, data dir, one instance ----

app.enableSandbox();
registerPrivilegedSchemes();

const { dataDir, source: dataDirSource } = resolveDataDir(dataDirFlag(process.argv));
// Chromium's profile (and with it the single-instance lock and, on Windows, the key that
// protects safeStorage) lives in the studio's data dir, so two data dirs are two
// independent instances, and the packaged app shares its data dir with the CLI/serve.
let dataDirReady = false;
try {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  app.setPath('userData', dataDir);
  dataDirReady = true;
} catch (err) {
  fatal(err);
}

const devOrigin = devServerOrigin(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
const origins: TrustedOrigins = { appOrigin: APP_ORIGIN, devOrigin };

let studio: Studio | null = null;
let mainWindow: BrowserWindow | null = null;
let unregisterIpc: (() => void) | null = null;
let quitState: 'running' | 'closing' | 'closed' = 'running';
/** The quit prompt (RunPod pods running) was answered with keep/stop, or is being shown. */
let quitConfirmed = false;
let askingToQuit = false;

function warn(message: string, detail?: unknown): void {
  if (studio) studio.log.child('app').warn(message, detail);
  else console.warn(message, detail ?? '');
}

function fatal(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error('Flux Studio could not start:', err);
  try {
    dialog.showErrorBox('Flux Studio could not start', `${message}\n\nData folder: ${dataDir}`);
  } finally {
    app.exit(1);
  }
}

function openMainWindow(): void {
  if (!studio) return;
  const url = devOrigin !== null && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : APP_ENTRY_URL;
  const win = createMainWindow({
    preloadPath: path.join(__dirname, '../preload/index.cjs'),
    url,
    log: studio.log.child('window'),
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  mainWindow = win;
}

function focusMainWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    if (app.isReady()) openMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  const platform = createElectronPlatform({
    shell,
    dialog,
    parentWindow: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
    log: { warn },
  });
  // safeStorage answers truthfully only after ready: the cipher is made here.
  studio = await createStudio({
    dataDir,
    dataDirSource,
    resourcesDir: findResourcesDir({
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      appPath: app.getAppPath(),
      mainDir: __dirname,
    }),
    version: app.getVersion(),
    platform,
    localWorkerSpawner: utilityProcessSpawner,
    // Electron's BoringSSL has no chacha20-poly1305: offer pods only the AES-GCM ciphers.
    pods: { noChacha: true },
    cipher: createSafeStorageCipher(safeStorage),
  });
  const s = studio;
  const log = s.log.child('app');
  if (devOrigin !== null) log.info(`dev mode: renderer from ${devOrigin}`);

  hardenSession(session.defaultSession, { devOrigin, log: log.child('security') });
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, { origins, openExternal: (url) => platform.openExternal(url), log: log.child('guard') });
  });
  handleProtocols({ rendererRoot: path.join(__dirname, '../renderer'), mediaRoots: () => s.mediaRoots(), log: log.child('protocol') });
  unregisterIpc = registerIpc({
    ipcMain,
    dispatch: s.dispatch,
    events: s.events,
    origins,
    eventTarget: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null),
    log: log.child('ipc'),
  });
  openMainWindow();
}

function closeStudioThenQuit(): void {
  const s = studio;
  quitState = 'closing';
  unregisterIpc?.();
  unregisterIpc = null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      warn(`studio did not close within ${CLOSE_TIMEOUT_MS / 1000} s; quitting anyway`);
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  Promise.race([s ? s.close() : Promise.resolve(), timeout])
    .catch((err: unknown) => console.error('closing the studio failed', err))
    .finally(() => {
      clearTimeout(timer);
      quitState = 'closed';
      app.quit();
    });
}

if (!dataDirReady) {
  // fatal() has reported it and is exiting.
} else if (!app.requestSingleInstanceLock()) {
  // Another instance owns this data dir: it gets focused (second-instance) and we leave.
  app.quit();
} else {
  app.on('second-instance', () => focusMainWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (studio && (!mainWindow || mainWindow.isDestroyed())) openMainWindow();
  });
  // With RunPod pods running, ask first: keep them (the on-pod watchdog stops them when idle),
  // stop them, or stay (quit-prompt.ts).
  app.on('before-quit', (event) => {
    const s = studio;
    if (quitConfirmed || quitState !== 'running' || s === null) return;
    event.preventDefault();
    if (askingToQuit) return;
    askingToQuit = true;
    confirmQuit({
      dispatch: s.dispatch,
      showMessageBox: (box) => (mainWindow && !mainWindow.isDestroyed() ? dialog.showMessageBox(mainWindow, box) : dialog.showMessageBox(box)),
      warn,
    })
      .catch((err: unknown) => {
        warn('the quit prompt failed; quitting', err);
        return 'quit' as const;
      })
      .then((answer) => {
        askingToQuit = false;
        if (answer === 'quit') {
          quitConfirmed = true;
          app.quit();
        } else if (!mainWindow || mainWindow.isDestroyed()) {
          openMainWindow(); // the last window was closed to quit: give it back
        }
      })
      .catch((err: unknown) => warn('quitting failed', err));
  });
  // Close the studio once (jobs stopped, database closed) before the process exits.
  app.on('will-quit', (event) => {
    if (quitState === 'closed' || studio === null) return;
    event.preventDefault();
    if (quitState === 'running') closeStudioThenQuit();
  });
  process.on('unhandledRejection', (reason) => warn('unhandled promise rejection', reason));
  start().catch(fatal);
}
