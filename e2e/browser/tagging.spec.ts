// Auto-captioning from the Datasets page against the real `flux-studio serve`: the tiny
// WD14-style tagger (scripts/tiny-tagger.sh) over a dataset of solid-colour images, review
// before/after, undo one and all; and Claude through a local Messages API stand-in with
// the cost estimate and its confirmation.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { test, expect, withFakeClaude, SCREENSHOT_DIR, type Served } from './serve-fixture';

const ROOT = path.resolve(__dirname, '..', '..');
let taggerDir = '';

test.beforeAll(() => {
  // The first build may have to create the pod venv.
  test.setTimeout(20 * 60_000);
  taggerDir = execFileSync('bash', [path.join(ROOT, 'scripts', 'tiny-tagger.sh')], { encoding: 'utf8', timeout: 20 * 60_000 }).trim();
});

async function api<T>(page: Page, served: Served, call: string, body: unknown = {}): Promise<T> {
  const res = await page.request.post(`${served.origin}/api/call/${call}`, { headers: { Authorization: `Bearer ${served.token}` }, data: body });
  const env = (await res.json()) as { ok: boolean; data: T; error?: unknown };
  expect(env.ok, `${call}: ${JSON.stringify(env.error)}`).toBe(true);
  return env.data;
}

/** A dataset folder used in place: red.png and white.png (no captions), blue.png captioned. */
async function seed(page: Page, served: Served): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-e2e-tagging-'));
  const solid = (name: string, rgb: [number, number, number]) =>
    sharp({ create: { width: 64, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path.join(dir, name));
  await solid('red.png', [255, 0, 0]);
  await solid('white.png', [255, 255, 255]);
  await solid('blue.png', [0, 0, 255]);
  fs.writeFileSync(path.join(dir, 'blue.txt'), 'my own caption');
  await api(page, served, 'datasets.create', { name: 'swatches', folder: dir, trigger: 'zxq' });
  return dir;
}

async function openDataset(page: Page, served: Served): Promise<void> {
  await page.goto(`${served.openUrl}#/datasets`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await page.locator('[data-testid="ds-list-item"][data-name="swatches"]').click();
  await page.getByTestId('ds-autocaption').click();
  await expect(page.getByTestId('tagging-dialog')).toBeVisible();
}

const caption = (dir: string, stem: string): string | null => {
  const f = path.join(dir, `${stem}.txt`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null;
};

test('local tagger: fill empty captions, review before/after, undo one, undo all', async ({ page, served, pageErrors }) => {
  const dir = await seed(page, served);
  await openDataset(page, served);
  const dialog = page.getByTestId('tagging-dialog');
  await expect(dialog.getByTestId('tagging-run')).toBeDisabled(); // no folder yet
  await dialog.getByTestId('tagging-tagger-dir').fill(taggerDir);
  await dialog.getByTestId('tagging-blacklist').fill('simple background');
  await dialog.getByTestId('tagging-run').click();

  await expect(dialog).toHaveAttribute('data-phase', 'review', { timeout: 30_000 });
  await expect(dialog.getByTestId('tagging-summary')).toContainText('2 written, 0 unchanged, 1 skipped, 0 failed');
  const red = dialog.locator('[data-testid="tagging-item"][data-file="red.png"]');
  await expect(red.getByTestId('tagging-before')).toHaveText('(none)');
  await expect(red.getByTestId('tagging-after')).toHaveText('red background, ^_^');
  expect(caption(dir, 'red')).toBe('red background, ^_^');
  expect(caption(dir, 'white')).toBe('white background');
  expect(caption(dir, 'blue')).toBe('my own caption');
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tagging-review.png'), animations: 'disabled' });

  await red.getByTestId('tagging-undo-one').click();
  await expect(red).toHaveAttribute('data-status', 'undone');
  expect(caption(dir, 'red')).toBeNull();
  await dialog.getByTestId('tagging-undo-all').click();
  await expect(dialog.locator('[data-testid="tagging-item"][data-file="white.png"]')).toHaveAttribute('data-status', 'undone');
  expect(caption(dir, 'white')).toBeNull();
  await dialog.getByTestId('tagging-done').click();
  await expect(dialog).toHaveCount(0);

  // Opened again: the run is listed and can be reviewed.
  await page.getByTestId('ds-autocaption').click();
  await expect(dialog.getByTestId('tagging-run-item')).toHaveCount(1);
  await expect(dialog.getByTestId('tagging-run-item')).toContainText('tagger · fill · 0 written, 2 undone');
  await dialog.getByTestId('tagging-run-review').click();
  await expect(dialog).toHaveAttribute('data-phase', 'review');
  await expect(dialog.locator('[data-testid="tagging-item"][data-status="undone"]')).toHaveCount(2);
  expect(pageErrors).toEqual([]);
});

const KEY = 'sk-ant-e2e-tagging-key-0123456789';
const withClaude = withFakeClaude(KEY, { keyInEnv: true });

withClaude('Claude: the cost estimate is shown, confirmation above the threshold, captions written', async ({ page, served, fake, pageErrors }) => {
  const dir = await seed(page, served);
  fs.writeFileSync(
    path.join(served.dataDir, 'tagging.yaml'),
    fs.readFileSync(path.join(ROOT, 'configs', 'tagging.yaml'), 'utf8').replace(/^confirmAboveUsd: .*$/m, 'confirmAboveUsd: 0.001'),
  );
  await openDataset(page, served);
  const dialog = page.getByTestId('tagging-dialog');
  await dialog.getByTestId('tagging-source-claude').click();
  await dialog.getByTestId('tagging-instruction').fill('Describe [trigger] in one sentence.');
  await expect(dialog.getByTestId('tagging-estimate')).toContainText('2 images to caption (1 skipped)');
  await expect(dialog.getByTestId('tagging-estimate')).toContainText('$0.0091');
  await expect(dialog.getByTestId('tagging-run')).toBeDisabled();
  await dialog.getByTestId('tagging-confirm-cost').check();
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tagging-claude-setup.png'), animations: 'disabled' });
  fake.replyText('zxq on a plain background.').replyText('zxq on a plain background.');
  await dialog.getByTestId('tagging-run').click();
  await expect(dialog).toHaveAttribute('data-phase', 'review', { timeout: 30_000 });
  await expect(dialog.getByTestId('tagging-summary')).toContainText('2 written');
  expect(caption(dir, 'red')).toBe('zxq on a plain background.');
  expect(fake.messageRequests).toHaveLength(2);
  const text = (fake.messageRequests[0]!.body!.messages[0]!.content as Array<{ type: string; text?: string }>).find((b) => b.type === 'text')?.text;
  expect(text).toBe('Describe zxq in one sentence.');
  expect(pageErrors).toEqual([]);
});
