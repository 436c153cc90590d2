// Starts the real `flux-studio serve` (built: run `npm run build` first) on a free port
// with a fresh data dir per test, and hands the test its printed URL. Pages also collect
// console errors, page errors and CSP violations, which fail the test.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { FakeAnthropic } from '../../test/helpers/fake-anthropic';
import { startRunpodServer, type RunpodServerOptions, type RunpodTestServer } from '../../test/helpers/runpod-server';

export interface Served {
  /** http://127.0.0.1:<port> (no trailing slash) */
  origin: string;
  token: string;
  /** The URL `serve` printed, with ?token= */
  openUrl: string;
  dataDir: string;
  /** Everything the server wrote, for failure messages. */
  output(): string;
}

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'flux-studio.cjs');
const URL_RE = /(http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)/;

export async function startServe(
  dataDir: string,
  extraArgs: { port?: number; token?: string; env?: Record<string, string> } = {},
): Promise<{ proc: ChildProcessWithoutNullStreams; served: Served }> {
  if (!fs.existsSync(path.join(ROOT, 'out', 'main', 'cli.js')) || !fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('The app is not built: run `npm run build` before the browser specs.');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['FLUX_STUDIO_DATA_DIR', 'FLUX_STUDIO_TOKEN', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'HF_TOKEN', 'RUNPOD_API_KEY', 'FLUX_STUDIO_RUNPOD_API']) delete env[k];
  Object.assign(env, extraArgs.env);
  const args = [BIN, 'serve', '--port', String(extraArgs.port ?? 0), '--data-dir', dataDir];
  // Through the environment, not --token: a token on the command line shows in `ps`.
  if (extraArgs.token) env.FLUX_STUDIO_TOKEN = extraArgs.token;
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const served = await new Promise<Served>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 20 s:\n${out}`)), 20_000);
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = URL_RE.exec(out);
      if (m?.[1] && m[3]) {
        clearTimeout(timer);
        resolve({ origin: m[1], token: m[3], openUrl: m[0], dataDir, output: () => out });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (code ${code}, signal ${signal}):\n${out}`));
    });
  });
  return { proc, served };
}

export async function stopServe(proc: ChildProcessWithoutNullStreams): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface ServeControl {
  /** Stops the server (the page stays open), to see how the UI copes. */
  stop(): Promise<void>;
  /** Starts it again on the same port, data dir and token. */
  restart(): Promise<void>;
}

const servedControls = new Map<Served, ServeControl>();

export const test = base.extend<{ served: Served; serveControl: ServeControl; pageErrors: string[]; serveEnv: Record<string, string> }>({
  /** Extra environment for the serve process (a spec overrides it, e.g. to point ANTHROPIC_BASE_URL at a fake). */
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
  serveEnv: async ({}, use) => {
    await use({});
  },
  served: async ({ serveEnv }, use, testInfo) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-e2e-'));
    const first = await startServe(dataDir, { env: serveEnv });
    let proc = first.proc;
    const served = first.served;
    let log = '';
    const control: ServeControl = {
      stop: async () => {
        log += served.output();
        await stopServe(proc);
      },
      restart: async () => {
        const port = Number(new URL(served.origin).port);
        const again = await startServe(dataDir, { port, token: served.token, env: serveEnv });
        proc = again.proc;
        served.output = () => log + again.served.output();
      },
    };
    servedControls.set(served, control);
    try {
      await use(served);
    } finally {
      servedControls.delete(served);
      await stopServe(proc);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('serve-output.txt', { body: served.output(), contentType: 'text/plain' });
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
  serveControl: async ({ served }, use) => {
    const control = servedControls.get(served);
    if (!control) throw new Error('serveControl needs the served fixture');
    await use(control);
  },
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    watchPage(page, errors);
    await use(errors);
    expect(errors, 'console errors, page errors or CSP violations').toEqual([]);
  },
});

export function watchPage(page: Page, errors: string[]): void {
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
}

export { expect };

export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/**
 * `test` with a local fake of Anthropic's Messages API (test/helpers/fake-anthropic.ts) that
 * accepts `apiKey`; serve reaches it through ANTHROPIC_BASE_URL. With `keyInEnv` serve is also
 * given the key (ANTHROPIC_API_KEY); without, the spec enters it as a user does.
 */
export function withFakeClaude(apiKey: string, opts: { keyInEnv: boolean }) {
  return test.extend<{ fake: FakeAnthropic }>({
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
    fake: async ({}, use) => {
      const fake = await FakeAnthropic.start({ apiKey });
      await use(fake);
      await fake.close();
    },
    serveEnv: async ({ fake }, use) => {
      await use({ ANTHROPIC_BASE_URL: fake.url, ...(opts.keyInEnv ? { ANTHROPIC_API_KEY: apiKey } : {}) });
    },
  });
}

/**
 * `test` with the local RunPod API server (test/helpers/runpod-server): serve talks to it
 * through FLUX_STUDIO_RUNPOD_API with its key in RUNPOD_API_KEY (so no test reaches RunPod).
 * `prepare` runs before serve starts (capacity, network volumes, pods made "on the website").
 * With `keyInEnv: false` serve gets only the address and the spec enters the key as a user does.
 */
export function withRunpodServer(opts: RunpodServerOptions = {}, prepare?: (rp: RunpodTestServer) => void | Promise<void>, env: { keyInEnv: boolean } = { keyInEnv: true }) {
  return test.extend<{ runpod: RunpodTestServer }>({
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
    runpod: async ({}, use) => {
      const rp = await startRunpodServer(opts);
      try {
        await prepare?.(rp);
        await use(rp);
      } finally {
        await rp.close();
      }
    },
    serveEnv: async ({ runpod }, use) => {
      await use({ FLUX_STUDIO_RUNPOD_API: runpod.url, ...(env.keyInEnv ? { RUNPOD_API_KEY: runpod.apiKey } : {}) });
    },
  });
}
