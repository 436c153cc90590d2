// Getting a local model from inside the studio (issue 18), in a real browser against the real
// `flux-studio serve`, with the Hugging Face Hub played by a local server speaking its API
// (test/generation/local/hub-server.ts) over a real optimum-cli export (tiny SD-Turbo):
// a new user's Generate page offers the model that suits this machine (size, provider), the
// download shows progress and can be cancelled, downloading again resumes, and afterwards
// Generate makes an image on this machine; Settings → Models lists the downloaded model.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from './serve-fixture';
import { startHubServer, type HubServer } from '../../test/generation/local/hub-server';

const ROOT = path.resolve(__dirname, '..', '..');

interface Hub {
  server: HubServer;
  env: Record<string, string>;
  bytes: number;
}

const test = base.extend<{ serveEnv: Record<string, string> }, { hub: Hub }>({
  hub: [
    // eslint-disable-next-line no-empty-pattern -- a worker fixture that needs no other
    async ({}, use) => {
      const optimum = execFileSync('bash', [path.join(ROOT, 'scripts', 'onnx-optimum-fixtures.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 40 * 60_000 })
        .trim()
        .split('\n')
        .at(-1)!;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-e2e-hub-'));
      const repo = path.join(tmp, 'repo');
      fs.cpSync(path.join(optimum, 'sd-turbo', 'onnx'), path.join(repo, 'onnx'), { recursive: true });
      const server = await startHubServer({ 'tiny/sd-turbo-onnx': { dir: repo } });
      const bytes = fs.readdirSync(path.join(repo, 'onnx'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.includes('vae_encoder')).reduce((s, e) => s + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
      const catalog = path.join(tmp, 'catalog.json');
      fs.writeFileSync(
        catalog,
        JSON.stringify([{ id: 'tiny-sd-turbo', title: 'Tiny SD-Turbo (test)', repo: 'tiny/sd-turbo-onnx', subfolder: 'onnx', revision: 'main', kind: 'sd-turbo', sizeBytes: bytes, runsWellOn: ['cpu'], note: 'random weights' }]),
      );
      await use({ server, bytes, env: { HF_ENDPOINT: server.url, FLUX_STUDIO_MODEL_CATALOG: catalog } });
      await server.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  // Each test its own Hugging Face cache (the served studio is fresh per test too).
  serveEnv: async ({ hub }, use) => {
    const hfHome = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-e2e-hf-'));
    await use({ ...hub.env, HF_HOME: hfHome });
    fs.rmSync(hfHome, { recursive: true, force: true });
  },
});

const unetRequests = (hub: Hub) => hub.server.requests.filter((r) => r.path.endsWith('/onnx/unet/model.onnx')).length;

test('a new user downloads the offered model on Generate (progress, cancel, resume) and makes an image with it', async ({ page, served, pageErrors, hub }) => {
  test.setTimeout(180_000);
  await page.goto(`${served.openUrl}#/generate`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('generate-not-connected')).toBeVisible();
  const offer = page.getByTestId('first-model-offer');
  await expect(offer).toContainText('Tiny SD-Turbo (test)');
  await expect(page.getByTestId('first-model-provider')).toHaveText('the CPU');

  // The first try stalls half way through the UNet: progress shows; Cancel stops it.
  hub.server.requests.length = 0;
  hub.server.stallAfter('onnx/unet/model.onnx', 400_000);
  await offer.getByTestId('first-model-download').click();
  const progress = offer.getByTestId('first-model-progress');
  await expect(progress).toContainText(/\d+ \/ \d+ MB/);
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d+/);
  await expect.poll(() => unetRequests(hub)).toBe(1); // the stall is reached
  await offer.getByTestId('first-model-cancel').click();
  await expect(progress).toHaveCount(0);
  await expect(page.getByTestId('generate-not-connected')).toBeVisible();

  // Again: it resumes the UNet from what arrived, and the page becomes live on this machine.
  hub.server.requests.length = 0;
  await offer.getByTestId('first-model-download').click();
  await expect(page.getByTestId('generate-not-connected')).toHaveCount(0, { timeout: 60_000 });
  expect(hub.server.requests.filter((r) => r.path.endsWith('/onnx/unet/model.onnx')).map((r) => r.range)).toEqual([expect.stringMatching(/^bytes=\d+-$/)]);
  await expect(page.getByTestId('local-status')).toContainText('Local: sd-turbo-onnx (SD-Turbo)');

  // Small and few steps: the tiny model on 2 shared cores.
  // The local model decides the model: the page names it instead of offering the FLUX choices.
  await expect(page.getByTestId('preset-model-local')).toContainText('SD-Turbo');
  await page.getByTestId('preset-size-custom').click();
  await page.getByTestId('size-custom-width').fill('256');
  await page.getByTestId('size-custom-height').fill('256');
  await page.getByTestId('generate-prompt').fill('a lighthouse on a cliff at dusk');
  await page.getByTestId('generate-submit').click();
  const view = page.getByTestId('generation-view');
  await expect(view).toHaveAttribute('data-state', 'succeeded', { timeout: 90_000 });
  const img = view.getByTestId('generation-image');
  await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

  // Settings → Models lists it (from the Hugging Face cache), in use.
  await page.getByTestId('nav-settings').click();
  const row = page.getByTestId('settings-models').getByTestId('settings-model-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('SD-Turbo');
  await expect(row).toContainText('in use');
  await expect(row).toContainText('models--tiny--sd-turbo-onnx');
  expect(pageErrors).toEqual([]);
});

test('Settings → Models → Download: the catalog with size and provider, any repo id, a bad one refused with the reason', async ({ page, served, pageErrors, hub }) => {
  test.setTimeout(120_000);
  await page.goto(`${served.openUrl}#/settings`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  const dl = page.getByTestId('model-downloads');
  const tiny = dl.getByTestId('model-catalog-row').filter({ hasText: 'Tiny SD-Turbo' });
  await expect(tiny).toContainText('suits this machine');
  await expect(tiny).toContainText('runs well on CPU');
  await expect(dl.getByTestId('model-catalog-row').filter({ hasText: 'stabilityai/sdxl-turbo' })).toContainText('GB');

  await dl.getByTestId('model-download-repo').fill('not a repo');
  await dl.getByTestId('model-download-start').click();
  await expect(dl.getByTestId('model-download-error')).toContainText('repo id');

  // Any repo id: progress with a Cancel button while it runs, then the model is in the list.
  hub.server.requests.length = 0;
  hub.server.stallAfter('onnx/unet/model.onnx', 400_000);
  await dl.getByTestId('model-download-repo').fill('tiny/sd-turbo-onnx');
  await dl.getByTestId('model-download-subfolder').fill('onnx');
  await dl.getByTestId('model-download-start').click();
  const running = dl.getByTestId('model-download-row');
  await expect(running.getByTestId('model-download-status')).toContainText(/\d+ \/ \d+ MB/);
  await expect.poll(() => unetRequests(hub)).toBe(1);
  await running.getByTestId('model-download-cancel').click();
  await expect(running).toHaveCount(0);
  await dl.getByTestId('model-download-start').click();
  const row = page.getByTestId('settings-models').getByTestId('settings-model-row');
  await expect(row).toHaveCount(1, { timeout: 60_000 });
  await expect(row).toContainText('SD-Turbo');
  expect(pageErrors).toEqual([]);
});
