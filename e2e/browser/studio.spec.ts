// The studio UI in a real browser against the real `flux-studio serve`: navigation,
// settings that persist, secrets that never come back, the jobs tray with a real backup
// job, keyboard use, and the server refusing a wrong token.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, SCREENSHOT_DIR, watchPage, type Served } from './serve-fixture';
import type { Page } from '@playwright/test';

const PAGES = [
  { id: 'generate', heading: 'Generate', empty: 'generate-not-connected' },
  { id: 'gallery', heading: 'Gallery', empty: 'gallery-empty' },
  { id: 'datasets', heading: 'Datasets', empty: 'datasets-empty' },
  { id: 'train', heading: 'Train', empty: 'train-empty' },
  { id: 'pods', heading: 'Pods', empty: 'ssh-pods' },
  { id: 'settings', heading: 'Settings', empty: 'settings-general' },
] as const;

async function open(page: Page, served: Served, hash = ''): Promise<void> {
  await page.goto(`${served.openUrl}${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

async function gotoPage(page: Page, id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
  await expect(page.getByTestId(`page-${id}`)).toBeVisible();
}

test.beforeAll(() => {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

test('opens with the token, drops it from the address bar and shows every page', async ({ page, served, pageErrors }) => {
  await open(page, served);
  expect(page.url()).not.toContain('token=');
  expect(page.url()).not.toContain(served.token);
  await expect(page.getByTestId('page-generate')).toBeVisible();

  for (const p of PAGES) {
    await gotoPage(page, p.id);
    await expect(page).toHaveURL(new RegExp(`#/${p.id}$`));
    await expect(page.getByTestId(`nav-${p.id}`)).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(p.heading);
    await expect(page.getByTestId(p.empty)).toBeVisible();
    for (const other of PAGES.filter((o) => o.id !== p.id)) {
      await expect(page.getByTestId(`nav-${other.id}`)).not.toHaveAttribute('aria-current', 'page');
    }
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${p.id}.png`), fullPage: true, animations: 'disabled' });
  }

  // Honest empty states: the gallery names the real output folder; disabled controls say why.
  await gotoPage(page, 'gallery');
  await expect(page.getByTestId('gallery-output-dir')).toHaveText(path.join(served.dataDir, 'outputs'));
  await gotoPage(page, 'generate');
  await expect(page.getByTestId('generate-submit')).toBeDisabled();
  await expect(page.getByTestId('generate-disabled-reason')).toContainText('No pod yet');
  await expect(page.getByTestId('generate-disabled-reason').getByTestId('fix-add-pod')).toBeVisible();
  // Training needs a dataset: with none, the Train page says so and leads to Datasets.
  await gotoPage(page, 'train');
  await expect(page.getByTestId('train-empty')).toContainText('needs a dataset');
  await expect(page.getByTestId('train-wizard')).toHaveCount(0);
  await page.getByTestId('train-empty').getByRole('button', { name: /Go to Datasets/ }).click();
  await expect(page).toHaveURL(/#\/datasets$/);
  expect(pageErrors).toEqual([]);
});

test('settings changes persist across a reload and reach other tabs live', async ({ page, served, context, pageErrors }) => {
  await open(page, served, '#/settings');
  await expect(page.getByTestId('page-settings')).toBeVisible();

  // The data folder, where it came from and the log file.
  await expect(page.getByTestId('settings-data-dir')).toHaveText(served.dataDir);
  await expect(page.getByTestId('settings-data-dir-source')).toHaveText(/--data-dir/);
  await expect(page.getByTestId('settings-log-file')).toContainText(served.dataDir);
  await expect(page.getByTestId('settings-version')).toHaveText(/flux-studio \d+\.\d+\.\d+/);
  // No native folder picker in a browser: no Browse button.
  await expect(page.getByTestId('settings-output-dir-browse')).toHaveCount(0);

  // A second tab, to see the settings.changed event arrive over its WebSocket.
  const other = await context.newPage();
  watchPage(other, pageErrors);
  await other.goto(`${served.origin}/#/settings`);
  await expect(other.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(other.getByTestId('settings-runtime-remote')).toHaveAttribute('aria-checked', 'true');

  // Default runtime: remote → local.
  await expect(page.getByTestId('settings-runtime-remote')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('settings-runtime-local').click();
  await expect(page.getByTestId('settings-runtime-local')).toHaveAttribute('aria-checked', 'true');
  await expect(other.getByTestId('settings-runtime-local')).toHaveAttribute('aria-checked', 'true');

  // "Open after generation" toggle.
  const toggle = page.getByTestId('settings-open-after');
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'false');

  // Output folder: a relative path is refused inline, with the field named.
  const input = page.getByTestId('settings-output-dir');
  await input.fill('images/here');
  await page.getByTestId('settings-output-dir-save').click();
  await expect(page.getByTestId('settings-output-dir-error')).toHaveText(/absolute path/);
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-error.png'), fullPage: true, animations: 'disabled' });

  const wanted = path.join(served.dataDir, 'my images');
  await input.fill(wanted);
  await input.press('Enter');
  await expect(page.getByTestId('settings-output-dir-error')).toHaveCount(0);
  await expect(page.getByTestId('settings-output-dir-saved')).toHaveText('Saved');
  await expect(page.getByTestId('settings-output-dir-save')).toBeDisabled();
  expect(fs.statSync(wanted).isDirectory()).toBe(true);
  await expect(other.getByTestId('settings-output-dir')).toHaveValue(wanted);

  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('settings-output-dir')).toHaveValue(wanted);
  await expect(page.getByTestId('settings-runtime-local')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('settings-open-after')).toHaveAttribute('aria-checked', 'false');
  // The rest of the app follows the setting.
  await gotoPage(page, 'gallery');
  await expect(page.getByTestId('gallery-output-dir')).toHaveText(wanted);
  await gotoPage(page, 'generate');
  await expect(page.getByTestId('runtime-toggle-local')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('generate-disabled-reason')).toContainText('No local model yet');
  await other.close();
});

test('a secret is stored and reported as set, and its value never reaches the page', async ({ page, served, pageErrors }) => {
  const value = `sk-ant-e2e-${Date.now().toString(36)}-do-not-show`;
  await open(page, served, '#/settings');
  const row = page.getByTestId('secret-anthropic');
  await expect(page.getByTestId('secret-anthropic-status')).toHaveText('Not set');
  await expect(page.getByTestId('secret-anthropic-clear')).toBeDisabled();
  await expect(page.getByTestId('secret-huggingface-status')).toHaveText('Not set');
  await expect(page.getByTestId('secrets-unavailable')).toHaveCount(0);
  await expect(row).toContainText('ANTHROPIC_API_KEY');

  const field = page.getByTestId('secret-anthropic-input');
  await expect(field).toHaveAttribute('type', 'password');
  await expect(page.getByTestId('secret-anthropic-save')).toBeDisabled();
  await field.fill(value);
  await page.getByTestId('secret-anthropic-save').click();
  await expect(page.getByTestId('secret-anthropic-status')).toHaveText('Set (stored)');
  await expect(field).toHaveValue('');
  await expect(page.getByTestId('secret-anthropic-clear')).toBeEnabled();

  const assertHidden = async () => {
    expect(await page.content()).not.toContain(value);
    expect(await page.locator('body').innerText()).not.toContain(value);
    for (const input of await page.locator('input').all()) expect(await input.inputValue()).not.toContain(value);
  };
  await assertHidden();
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-secret-set.png'), fullPage: true, animations: 'disabled' });

  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('secret-anthropic-status')).toHaveText('Set (stored)');
  await assertHidden();
  // Nor did it go into the log file.
  const log = fs.readFileSync(path.join(served.dataDir, 'logs', 'studio.log'), 'utf8');
  expect(log).not.toContain(value);

  await page.getByTestId('secret-anthropic-clear').click();
  await expect(page.getByTestId('secret-anthropic-status')).toHaveText('Not set');
  expect(pageErrors).toEqual([]);
});

/** serve scans the gallery sources at start-up (a job): let it finish and clear it, so the tray starts empty. */
async function clearStartupJobs(page: Page): Promise<void> {
  await expect(page.getByTestId('jobs-count')).toHaveText('0');
  const clear = page.getByTestId('jobs-clear-finished');
  if (await clear.isEnabled()) await clear.click();
  await expect(page.getByTestId('jobs-empty')).toBeVisible();
}

test('a database backup runs as a job and finishes in the jobs tray', async ({ page, served, pageErrors }) => {
  await open(page, served, '#/settings');
  await page.getByTestId('jobs-tray-button').click();
  const panel = page.getByTestId('jobs-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('jobs-tray-button')).toHaveAttribute('aria-expanded', 'true');
  await clearStartupJobs(page);
  await expect(page.getByTestId('jobs-clear-finished')).toBeDisabled();
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'jobs-empty.png'), animations: 'disabled' });

  await page.getByTestId('settings-backup').click();
  const item = panel.getByTestId('job-item').first();
  await expect(item).toBeVisible();
  await expect(item.getByTestId('job-title')).toHaveText('Back up studio database');
  await expect(item).toHaveAttribute('data-state', 'succeeded');
  await expect(item.getByTestId('job-state')).toHaveText('Done');
  await expect(item.getByTestId('job-message')).toContainText(path.join(served.dataDir, 'backups'));
  await expect(page.getByTestId('jobs-count')).toHaveText('0');
  await expect(page.getByTestId('settings-backup-last')).toContainText('Done');
  const backups = fs.readdirSync(path.join(served.dataDir, 'backups')).filter((f) => f.endsWith('.db'));
  expect(backups).toHaveLength(1);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'jobs-tray.png'), animations: 'disabled' });

  // The list survives a reload (it is read back with jobs.list), then clears.
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('jobs-tray-button').click();
  await expect(panel.getByTestId('job-item')).toHaveCount(1);
  await page.getByTestId('jobs-clear-finished').click();
  await expect(page.getByTestId('jobs-empty')).toBeVisible();

  // Escape closes the tray and gives focus back to its button.
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId('jobs-tray-button')).toBeFocused();
  expect(pageErrors).toEqual([]);
});

test('keyboard: Alt+1..6 switch pages and Tab reaches the navigation with a visible focus ring', async ({ page, served, pageErrors }) => {
  await open(page, served);
  await page.locator('body').click({ position: { x: 600, y: 700 } });
  await page.keyboard.press('Alt+2');
  await expect(page).toHaveURL(/#\/gallery$/);
  await expect(page.getByTestId('nav-gallery')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('page-gallery')).toBeVisible();
  await page.keyboard.press('Alt+5');
  await expect(page.getByTestId('page-pods')).toBeVisible();
  await page.keyboard.press('Alt+6');
  await expect(page.getByTestId('page-settings')).toBeVisible();
  await page.keyboard.press('Alt+1');
  await expect(page.getByTestId('page-generate')).toBeVisible();

  // From the top of a fresh page: skip link, then the six pages in order.
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  for (const p of PAGES) {
    await page.keyboard.press('Tab');
    const nav = page.getByTestId(`nav-${p.id}`);
    await expect(nav).toBeFocused();
    await expect(nav).toHaveCSS('outline-style', 'solid');
  }
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('jobs-tray-button')).toBeFocused();
  // Enter on a focused nav link goes there.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('page-settings')).toBeVisible();

  // The settings page is operable from the keyboard: arrows move the runtime radio group.
  await page.getByTestId('settings-runtime-remote').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('settings-runtime-local')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('settings-runtime-local')).toBeFocused();
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'keyboard-focus.png'), animations: 'disabled' });
  expect(pageErrors).toEqual([]);
});

test('when the server goes away the page says so, then reconnects and stays live', async ({ page, served, serveControl, request }) => {
  // No pageErrors fixture here: failed requests while the server is down are expected console noise.
  await open(page, served, '#/settings');
  await page.getByTestId('jobs-tray-button').click();
  await clearStartupJobs(page);

  await serveControl.stop();
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('reconnecting');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'connection-lost.png'), animations: 'disabled' });

  await serveControl.restart();
  await expect(banner).toHaveCount(0, { timeout: 20_000 });
  // Another client queues a backup: it arrives over the new socket.
  const res = await request.post(`${served.origin}/api/call/maintenance.backup`, {
    headers: { Authorization: `Bearer ${served.token}` },
    data: {},
  });
  expect(res.status()).toBe(200);
  // (The restarted server also scanned its gallery sources: look for the backup by its title.)
  const item = page.getByTestId('jobs-panel').getByTestId('job-item').filter({ hasText: 'Back up studio database' });
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-state', 'succeeded');
});

test('the server refuses calls with a wrong or missing token', async ({ request, served }) => {
  const wrong = await request.post(`${served.origin}/api/call/settings.get`, {
    headers: { Authorization: 'Bearer not-the-token-at-all' },
    data: {},
  });
  expect(wrong.status()).toBe(401);
  const missing = await request.post(`${served.origin}/api/call/settings.get`, { data: {} });
  expect(missing.status()).toBe(401);
  // The page itself is public (the built renderer holds no data) and never sets a cookie.
  const page = await request.get(`${served.origin}/?token=wrong-token-wrong-token`);
  expect(page.status()).toBe(200);
  expect(page.headers()['set-cookie']).toBeUndefined();

  const right = await request.post(`${served.origin}/api/call/settings.get`, {
    headers: { Authorization: `Bearer ${served.token}` },
    data: {},
  });
  expect(right.status()).toBe(200);
  const body = (await right.json()) as { ok: boolean };
  expect(body.ok).toBe(true);
});
