// What a new user meets on Generate (issue 16, items 1, 2, 3, 6, 7, 13), in Chromium against the
// real `flux-studio serve`, at 1440×900 and 1024×700: with no runtime the page says what to do
// with the buttons that do it; with a local model (the tiny FLUX.1-schnell ONNX export) the page
// shows what will run and the saved image's parameters match it; a random seed is never shown as
// a number that will not be used; the finished image is in view; the Generate button never moves.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { ImageParameters } from '@shared/contract';
import { api, ROOT } from './e2e-kit';
import { SCREENSHOT_DIR, test, expect, type Served } from './serve-fixture';

const SIZES = [
  { name: '1440', viewport: { width: 1440, height: 900 } },
  { name: '1024', viewport: { width: 1024, height: 700 } },
  // Just under where the layout changes (two columns from 1200 px): the result is in view there too.
  { name: '1180', viewport: { width: 1180, height: 720 } },
] as const;

let fixtures = '';
test.beforeAll(() => {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  fixtures = execFileSync('bash', [path.join(ROOT, 'scripts', 'onnx-fixtures.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 })
    .trim()
    .split('\n')
    .at(-1)!;
});

async function open(page: Page, served: Served): Promise<void> {
  await page.goto(`${served.openUrl}#/generate`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('page-generate')).toBeVisible();
}

/** The element's box lies inside the window (what the user sees without scrolling). */
async function inView(page: Page, el: Locator): Promise<boolean> {
  const box = await el.boundingBox();
  const vp = page.viewportSize();
  if (!box || !vp) return false;
  return box.y >= 0 && box.y + box.height <= vp.height + 1 && box.x >= 0 && box.x + box.width <= vp.width + 1;
}

for (const size of SIZES) {
  test.describe(`at ${size.viewport.width}×${size.viewport.height}`, () => {
    test.use({ viewport: size.viewport });

    test('with no runtime: what to do, with the buttons that do it, next to the disabled Generate', async ({ page, served, pageErrors }) => {
      await open(page, served);
      const banner = page.getByTestId('generate-not-connected');
      await expect(banner).toBeVisible();
      await expect(banner.getByTestId('callout-add-pod')).toBeVisible();
      await expect(banner.getByTestId('callout-add-local-model')).toBeVisible();
      await expect(page.getByTestId('page-generate')).not.toContainText(/next (update|release)|not connected yet/);

      await page.getByTestId('generate-prompt').fill('a lighthouse at dusk');
      const button = page.getByTestId('generate-submit');
      await expect(button).toBeDisabled();
      const reason = page.getByTestId('generate-disabled-reason');
      await expect(reason).toBeVisible();
      await expect(reason).toContainText('No pod yet');
      await expect(reason.getByTestId('fix-add-pod')).toBeVisible();
      await expect(reason.getByTestId('fix-add-local-model')).toBeVisible();
      // Next to the button: just under it, in view with it.
      const b = (await button.boundingBox())!;
      const r = (await reason.boundingBox())!;
      expect(r.y - (b.y + b.height)).toBeLessThan(40);
      expect(r.y).toBeGreaterThanOrEqual(b.y);
      // Seen with the button: the reason starts within the window.
      expect(r.y + 16).toBeLessThan(page.viewportSize()!.height);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `new-user-generate-no-runtime-${size.name}.png`), animations: 'disabled' });

      // Ctrl+Enter says the same, not "next update".
      await page.getByTestId('generate-prompt').press('Control+Enter');
      const toast = page.getByTestId('toast').last();
      await expect(toast).toContainText('No pod yet');

      // The way out: Settings → Models, scrolled to it, the folder field focused.
      await reason.getByTestId('fix-add-local-model').click();
      await expect(page.getByTestId('page-settings')).toBeVisible();
      await expect(page.getByTestId('settings-model-path')).toBeFocused();
      expect(await inView(page, page.getByTestId('settings-model-path'))).toBe(true);
      expect(pageErrors).toEqual([]);
    });

    test('local model: the page shows what runs, the image records the same; the result is in view; the button stays put', async ({ page, served, pageErrors }) => {
      test.setTimeout(180_000);
      const model = path.join(fixtures, 'flux-schnell', 'onnx');
      await api(page, served, 'local.addModel', { path: model });
      // A pod profile too (not trusted), so Remote has something to show.
      await api(page, served, 'pods.save', { name: 'loopback', host: '127.0.0.1', port: 2 });
      await open(page, served);
      await expect(page.getByTestId('generate-not-connected')).toHaveCount(0);
      await page.getByTestId('runtime-toggle-local').click();
      await expect(page.getByTestId('local-status')).toContainText('FLUX.1-schnell');

      // The local model decides: no FLUX.1-dev choice, Quality and Guidance disabled and why.
      await expect(page.getByTestId('preset-model')).toHaveCount(0);
      await expect(page.getByTestId('preset-model-local')).toContainText('FLUX.1-schnell');
      await expect(page.getByTestId('quality-disabled-note')).toContainText('always runs 4 steps');
      await expect(page.getByTestId('guidance-disabled-note')).toContainText('has no guidance input');
      await expect(page.getByTestId('cpu-offload')).toBeDisabled();

      // Custom shows what will be used.
      await page.getByTestId('preset-size-custom').click();
      await page.getByTestId('size-custom-width').fill('1000');
      await page.getByTestId('size-custom-height').fill('1000');
      await expect(page.getByTestId('preset-size-custom')).toContainText('1008×1008');
      await expect(page.getByTestId('size-custom-used')).toContainText('1008 × 1008 will be used');
      await expect(page.getByTestId('resolve-size')).toHaveText('1008 × 1008');
      await page.getByTestId('size-custom-width').fill('256');
      await page.getByTestId('size-custom-height').fill('256');

      // A random seed is not previewed as a number.
      await page.getByTestId('generate-prompt').fill('a lighthouse on a cliff at dusk');
      const seed = page.getByTestId('resolve-seed');
      await expect(seed).toHaveText('random seed');
      await expect(seed).not.toContainText(/\d/);

      // The Generate button does not move between Local and Remote.
      const button = page.getByTestId('generate-submit');
      await expect(button).toBeEnabled();
      const atLocal = (await button.boundingBox())!;
      await page.getByTestId('runtime-toggle-remote').click();
      await expect(page.getByTestId('pod-picker')).toBeVisible();
      await expect(button).toBeDisabled();
      expect(await button.boundingBox()).toEqual(atLocal);
      await page.getByTestId('runtime-toggle-local').click();
      await expect(button).toBeEnabled();
      expect(await button.boundingBox()).toEqual(atLocal);
      // The runtime choice sits right under the prompt.
      const prompt = (await page.getByTestId('generate-prompt').boundingBox())!;
      const picker = (await page.getByTestId('runtime-toggle').boundingBox())!;
      expect(picker.y - (prompt.y + prompt.height)).toBeLessThan(120);

      // A fixed seed, then what the page says will run.
      await page.getByTestId('seed-input').fill('4242');
      await expect(seed).toHaveText('seed 4242');
      const summary = page.getByTestId('resolve-summary');
      await expect(summary).not.toHaveClass(/is-pending/);
      const said = {
        model: await page.getByTestId('resolve-model').getAttribute('data-model'),
        size: await page.getByTestId('resolve-size').textContent(),
        steps: await page.getByTestId('resolve-steps').textContent(),
        guidance: await page.getByTestId('resolve-guidance').textContent(),
      };
      expect(said).toEqual({ model: 'flux-schnell', size: '256 × 256', steps: '4 steps', guidance: 'no guidance' });

      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `new-user-generate-local-ready-${size.name}.png`), animations: 'disabled' });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `new-user-generate-local-settings-${size.name}.png`), fullPage: true, animations: 'disabled' });

      // Generate from the bottom of the page (where the seed is): the image is in view when done.
      await page.getByTestId('jpeg-quality').scrollIntoViewIfNeeded();
      await page.getByTestId('seed-input').press('Control+Enter');
      const view = page.getByTestId('generation-view');
      await expect(view).toHaveAttribute('data-state', 'succeeded', { timeout: 150_000 });
      const img = view.getByTestId('generation-image');
      await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(256);
      await expect.poll(() => inView(page, img)).toBe(true);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `new-user-generate-local-${size.name}.png`), animations: 'disabled' });

      // The saved image's parameters are what the page said.
      const file = ((await view.getByTestId('generation-result').locator('code').textContent()) ?? '').trim();
      const params = await api<ImageParameters>(page, served, 'metadata.read', { path: file });
      expect({ model: params.model, size: `${params.width} × ${params.height}`, steps: `${params.steps} steps`, guidance: params.guidance === null ? 'no guidance' : `guidance ${params.guidance}`, seed: params.seed }).toEqual({
        ...said,
        seed: 4242,
      });
      await expect(view.getByTestId('generation-result')).toContainText('Seed 4242');
      expect(pageErrors).toEqual([]);
    });
  });
}

test('applying a style twice does not double it; a token-count error clears itself when serve is back', async ({ page, served, serveControl, pageErrors }) => {
  await open(page, served);
  const prompt = page.getByTestId('generate-prompt');
  await prompt.fill('a fox in the snow');
  await page.getByTestId('style-select').selectOption({ label: 'Photograph' });
  await page.getByTestId('style-apply').click();
  await expect(prompt).toHaveValue(/^a fox in the snow, professional photograph/);
  const once = await prompt.inputValue();
  await page.getByTestId('style-apply').click();
  await page.waitForTimeout(300);
  await expect(prompt).toHaveValue(once);

  // Stop serve, edit: the count cannot be made. Start it again: the error goes by itself.
  await serveControl.stop();
  await prompt.fill('a fox in the snow at night');
  await expect(page.getByTestId('clip-error')).toBeVisible({ timeout: 15_000 });
  await serveControl.restart();
  await expect(page.getByTestId('clip-error')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('clip-count')).toBeVisible();
  // The page logged the failed calls while serve was down; nothing else.
  expect(pageErrors.filter((e) => !/Failed to fetch|ERR_CONNECTION_REFUSED|WebSocket/.test(e))).toEqual([]);
  pageErrors.length = 0;
});
