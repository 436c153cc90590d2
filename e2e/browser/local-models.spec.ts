// Settings → Models and the local status chip in a real browser against the real
// `flux-studio serve`: a broken folder is refused with the reason, a real ONNX export
// (the SD-Turbo test fixture) is listed with its type and size, provider and idle settings
// persist, and the Generate page shows the local runtime's status beside the toggle.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test, expect, type Served } from './serve-fixture';
import type { Page } from '@playwright/test';

const ROOT = path.resolve(__dirname, '..', '..');
let fixtures = '';

test.beforeAll(() => {
  fixtures = execFileSync('bash', [path.join(ROOT, 'scripts', 'onnx-fixtures.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 })
    .trim()
    .split('\n')
    .at(-1)!;
});

async function open(page: Page, served: Served): Promise<void> {
  await page.goto(`${served.openUrl}#/settings`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('page-settings')).toBeVisible();
}

test('add, list and remove local models; provider and idle unload persist; status chip on Generate', async ({ page, served, pageErrors }) => {
  test.setTimeout(120_000);
  await open(page, served);
  const section = page.getByTestId('settings-models');
  await expect(section.getByTestId('settings-models-empty')).toBeVisible();

  // A folder that is not a model: refused, with the reason next to the field.
  await section.getByTestId('settings-model-path').fill(path.join(fixtures, 'sd-turbo'));
  await section.getByTestId('settings-model-add').click();
  await expect(section.getByTestId('settings-model-error')).toContainText('model_index.json');

  // The real export: listed with its type and size, in use.
  const sd = path.join(fixtures, 'sd-turbo', 'onnx');
  await section.getByTestId('settings-model-path').fill(sd);
  await section.getByTestId('settings-model-add').click();
  const row = section.getByTestId('settings-model-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('sd-turbo');
  await expect(row).toContainText('SD-Turbo');
  await expect(row).toContainText(/\d+ MB|\d+ KB/);
  await expect(row).toContainText('in use');
  await expect(section.getByTestId('settings-model-error')).toHaveCount(0);

  const saved = () => page.waitForResponse((r) => r.url().includes('/api/call/settings.update') && r.ok());
  let done = saved();
  await section.getByTestId('settings-local-provider-cpu').click();
  await done;
  await expect(section.getByTestId('settings-local-provider-cpu')).toHaveAttribute('aria-checked', 'true');
  done = saved();
  await section.getByTestId('settings-local-idle').fill('60');
  await done;
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('settings-models').getByTestId('settings-local-provider-cpu')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('settings-models').getByTestId('settings-local-idle')).toHaveValue('60');
  await expect(page.getByTestId('settings-models').getByTestId('settings-model-row')).toHaveCount(1);

  // Local toggled on Generate: the status beside the toggle names the model that will load,
  // with what suits a turbo model; Remote hides it.
  await page.getByTestId('nav-generate').click();
  await expect(page.getByTestId('runtime-picker')).toBeVisible();
  await page.getByTestId('runtime-toggle-local').click();
  await expect(page.getByTestId('local-status')).toContainText('Local: sd-turbo (SD-Turbo) · loads on the first image');
  await expect(page.getByTestId('local-model-hint')).toContainText('SD-Turbo runs without guidance');
  await page.getByTestId('runtime-toggle-remote').click();
  await expect(page.getByTestId('local-status')).toHaveCount(0);

  // Local as the default runtime in Settings: the Generate page opens on it.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-runtime-local').click();
  // Forget the toggle's own choice (only it: the same storage keeps this tab's serve token).
  await page.evaluate("localStorage.removeItem('flux-studio.runtime-choice')");
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('nav-generate').click();
  await expect(page.getByTestId('local-status')).toContainText('Local: sd-turbo');

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-models').getByTestId('settings-model-remove').click();
  await expect(page.getByTestId('settings-models').getByTestId('settings-models-empty')).toBeVisible();
  expect(pageErrors).toEqual([]);
});
