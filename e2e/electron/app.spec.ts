// The desktop app, launched for real: the built main (out/main/index.js via package.json),
// the sandboxed preload and the renderer served from app://studio. Needs the Electron
// binary (node_modules/electron/dist) and, on Linux, a display (xvfb-run); without them
// the specs skip with the reason. Run `npm run build` first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { RawStudioApi } from '@shared/studio-api';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'out', 'main', 'index.js');

/**
 * Where the Electron binary is, or why it is missing. This does not require('electron'):
 * its index.js tries to download the binary when it is absent.
 */
function findElectronBinary(): { ok: true; path: string } | { ok: false; reason: string } {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json', { paths: [ROOT] }));
  } catch {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const pathTxt = path.join(pkgDir, 'path.txt');
  const rel = fs.existsSync(pathTxt) ? fs.readFileSync(pathTxt, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const p = path.join(override, rel || 'electron');
    return fs.existsSync(p) ? { ok: true, path: p } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${p}` };
  }
  if (rel === '') {
    return {
      ok: false,
      reason: `${pathTxt} is missing (electron was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run \`node node_modules/electron/install.js\` where the network allows it`,
    };
  }
  const p = path.join(pkgDir, 'dist', rel);
  return fs.existsSync(p) ? { ok: true, path: p } : { ok: false, reason: `${p} does not exist; run \`node node_modules/electron/install.js\`` };
}

const binary = findElectronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
// The list reporter does not print skip reasons: say it once, where CI logs will show it.
if (!binary.ok) process.stdout.write(`Electron specs skipped — no Electron binary: ${binary.reason}\n`);
else if (noDisplay) process.stdout.write('Electron specs skipped — no display: run them under xvfb-run\n');

type PageGlobals = Record<string, unknown> & { studio?: RawStudioApi; location: { href: string } };

test.describe('desktop app (Electron)', () => {
  test.skip(!binary.ok, `No Electron binary: ${binary.ok ? '' : binary.reason}`);
  test.skip(noDisplay, 'No display: run the Electron specs under xvfb-run (DISPLAY and WAYLAND_DISPLAY are unset)');

  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  test.beforeAll(async () => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the Electron specs`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-e2e-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    delete env.ELECTRON_RENDERER_URL; // the built renderer, never a dev server
    delete env.ELECTRON_RUN_AS_NODE;
    env.FLUX_STUDIO_DATA_DIR = dataDir;
    // The repo root: Electron reads package.json ("main": out/main/index.js), so the app
    // path, name and version are the studio's own.
    app = await electron.launch({ args: [ROOT], cwd: ROOT, env });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('loads the renderer from app://studio in one window', async () => {
    expect(page.url()).toBe('app://studio/index.html');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  test('exposes window.studio with verbs, and no Node, require or ipcRenderer to the page', async () => {
    const shape = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return {
        studio: typeof g.studio,
        settingsGet: typeof g.studio?.calls.settings.get,
        jobsList: typeof g.studio?.calls.jobs.list,
        on: typeof g.studio?.on,
        transport: g.studio?.transport,
        studioKeys: g.studio ? Object.keys(g.studio).sort() : [],
        require: typeof g.require,
        process: typeof g.process,
        module: typeof g.module,
        Buffer: typeof g.Buffer,
        ipcRenderer: typeof g.ipcRenderer,
        electron: typeof g.electron,
      };
    });
    expect(shape).toEqual({
      studio: 'object',
      settingsGet: 'function',
      jobsList: 'function',
      on: 'function',
      transport: 'electron',
      studioKeys: ['calls', 'mediaUrl', 'on', 'transport'],
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      ipcRenderer: 'undefined',
      electron: 'undefined',
    });
  });

  test('settings.get and app.info answer through IPC from the data dir we chose', async () => {
    const settings = await page.evaluate(() => (globalThis as unknown as PageGlobals).studio?.calls.settings.get({}));
    expect(settings?.ok).toBe(true);
    if (!settings?.ok) throw new Error(JSON.stringify(settings));
    expect(settings.data.outputDir).toBe(path.join(dataDir, 'outputs'));

    const info = await page.evaluate(() => (globalThis as unknown as PageGlobals).studio?.calls.app.info({}));
    if (!info?.ok) throw new Error(JSON.stringify(info));
    expect(info.data).toMatchObject({ transport: 'electron', dataDir, dataDirSource: 'env', canPickFolders: true, name: 'flux-studio' });
  });

  test('invalid requests come back as error envelopes, not exceptions', async () => {
    const res = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).studio?.calls.settings.update({ outputDir: 'not/absolute' }),
    );
    expect(res?.ok).toBe(false);
    if (res && !res.ok) expect(res.error.code).toBe('invalid_input');
  });

  test('navigation away from the app is denied', async () => {
    const before = page.url();
    await page
      .evaluate(() => {
        (globalThis as unknown as PageGlobals).location.href = 'https://example.com/';
      })
      .catch(() => undefined); // if navigation did start, the context is gone: the URL check below fails
    await page.waitForTimeout(1000);
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).studio)).toBe('object');
  });

  test('window.open is denied (a non-https URL is not handed to the OS either)', async () => {
    const opened = await page.evaluate(() => {
      const g = globalThis as unknown as { open(url: string): unknown };
      return g.open('http://example.com/') === null;
    });
    expect(opened).toBe(true);
    await page.waitForTimeout(300);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  test('app-media:// serves images under the output folder and nothing outside it', async () => {
    // A 1×1 PNG inside the output root, and the same bytes just outside it.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    fs.mkdirSync(path.join(dataDir, 'outputs', 'e2e'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'outputs', 'e2e', 'one px.png'), png);
    fs.writeFileSync(path.join(dataDir, 'outside.png'), png);

    const load = (url: string) =>
      page.evaluate(
        (src) =>
          new Promise<string>((resolve) => {
            const doc = (globalThis as unknown as { document: { createElement(tag: 'img'): { src: string; onload: () => void; onerror: () => void; naturalWidth: number } } }).document;
            const img = doc.createElement('img');
            img.onload = () => resolve(`loaded ${img.naturalWidth}`);
            img.onerror = () => resolve('error');
            img.src = src;
          }),
        url,
      );
    const inside = await page.evaluate(() => (globalThis as unknown as PageGlobals).studio?.mediaUrl('output', 'e2e/one px.png'));
    expect(inside).toBe('app-media://output/e2e/one%20px.png');
    expect(await load(inside ?? '')).toBe('loaded 1');
    expect(await load('app-media://output/..%2Foutside.png')).toBe('error');
    expect(await load('app-media://output/e2e/..%2F..%2Foutside.png')).toBe('error');
    expect(await load('app-media://datasets/..%2Foutside.png')).toBe('error');
  });
});
