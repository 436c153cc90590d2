// The Datasets page against the real `flux-studio serve`: drop files (a DataTransfer, as a
// browser drop delivers them; their bytes go up in chunks since the browser has no paths),
// read the import report, edit a caption (autosaved to the .txt on disk), set a trigger
// word, bulk-insert [trigger] and undo it, add a file through the file chooser, and hand
// the dataset to the Train page.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { patterned } from '../../test/datasets/fixtures';
import { test, expect, type Served } from './serve-fixture';

async function open(page: Page, served: Served): Promise<void> {
  await page.goto(`${served.openUrl}#/datasets`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

async function dropFiles(page: Page, files: { name: string; bytes: Buffer; type: string }[]): Promise<void> {
  const dt = await page.evaluateHandle(
    (list) => {
      const DT = (globalThis as unknown as { DataTransfer: new () => { items: { add(f: File): void } } }).DataTransfer;
      const t = new DT();
      for (const f of list) {
        const bin = atob(f.b64);
        const arr = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
        t.items.add(new File([arr], f.name, { type: f.type }));
      }
      return t;
    },
    files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString('base64') })),
  );
  await page.getByTestId('page-datasets').dispatchEvent('dragenter', { dataTransfer: dt });
  await page.getByTestId('page-datasets').dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId('page-datasets').dispatchEvent('drop', { dataTransfer: dt });
}

test('drop, report, caption edit, trigger, bulk insert + undo, file chooser, Train LoRA', async ({ page, served, pageErrors }) => {
  test.setTimeout(120_000);
  await open(page, served);
  await expect(page.getByTestId('datasets-empty')).toBeVisible();

  await dropFiles(page, [
    { name: 'cat one.jpg', bytes: await patterned(640, 480, 201), type: 'image/jpeg' },
    { name: 'cat one.txt', bytes: Buffer.from('a cat, window'), type: 'text/plain' },
    { name: 'ünï “b”.png', bytes: await patterned(512, 512, 202, 'png'), type: 'image/png' },
    { name: 'zero.jpg', bytes: Buffer.alloc(0), type: 'image/jpeg' },
    { name: 'notes.jpg', bytes: Buffer.from('just text, not a picture'), type: 'image/jpeg' },
  ]);
  await expect(page.getByTestId('ds-import-form')).toBeVisible();
  await page.getByTestId('ds-import-name').fill('E2E set');
  await page.getByTestId('ds-import-start').click();

  // The report: every file accounted for.
  await expect(page.getByTestId('ds-report-totals')).toContainText('2 accepted, 0 converted, 2 rejected, 1 captions, 0 ignored', { timeout: 30_000 });
  const rows = page.getByTestId('ds-report-row');
  await expect(rows.filter({ hasText: 'zero.jpg' })).toContainText('empty file (0 bytes)');
  await expect(rows.filter({ hasText: 'notes.jpg' })).toContainText('not an image (the content is text)');
  await expect(page.getByTestId('ds-list-item').filter({ hasText: 'E2E set' })).toContainText('2 images');

  // Edit a caption in place: autosaved to the .txt beside the image.
  const dir = path.join(served.dataDir, 'datasets', 'E2E set');
  await page.getByTestId('ds-tab-captions').click();
  const card = page.locator('[data-testid="ds-card"][data-file="ünï “b”.png"]');
  await card.getByTestId('ds-caption').fill('a dog, sofa');
  await expect(card.getByTestId('ds-save-state')).toHaveText('Saved', { timeout: 10_000 });
  expect(fs.readFileSync(path.join(dir, 'ünï “b”.txt'), 'utf8')).toBe('a dog, sofa');

  // Keyboard: arrows move between cards, Enter edits, Alt+↓ goes to the next caption, Esc leaves it.
  const cards = page.getByTestId('ds-card');
  await cards.nth(0).focus();
  await page.keyboard.press('ArrowRight');
  await expect(cards.nth(1)).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  await expect(cards.nth(0).getByTestId('ds-caption')).toBeFocused();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(cards.nth(1).getByTestId('ds-caption')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(cards.nth(1)).toBeFocused();

  // Trigger word, then bulk-insert [trigger] into every caption; undo puts them back.
  await page.getByTestId('ds-trigger').fill('sks');
  await page.getByTestId('ds-trigger').press('Enter');
  await expect.poll(() => page.getByTestId('ds-list-item').count()).toBe(1);
  await page.getByTestId('ds-bulk-toggle').click(); // the bulk panel is closed until asked for
  await page.getByTestId('ds-bulk-kind').selectOption('insertTrigger');
  await page.getByTestId('ds-bulk-apply').click();
  await expect(page.locator('[data-testid="ds-card"][data-file="cat one.jpg"]').getByTestId('ds-caption')).toHaveValue('[trigger], a cat, window');
  expect(fs.readFileSync(path.join(dir, 'ünï “b”.txt'), 'utf8')).toBe('[trigger], a dog, sofa');
  await page.getByTestId('ds-undo').click();
  await expect(page.locator('[data-testid="ds-card"][data-file="cat one.jpg"]').getByTestId('ds-caption')).toHaveValue('a cat, window');
  expect(fs.readFileSync(path.join(dir, 'ünï “b”.txt'), 'utf8')).toBe('a dog, sofa');

  // A bad regex: a clear error next to the toolbar, nothing changed.
  await page.getByTestId('ds-bulk-kind').selectOption('replace');
  await page.getByTestId('ds-bulk-find').fill('(unclosed');
  await page.getByTestId('ds-bulk-regex').check();
  await page.getByTestId('ds-bulk-apply').click();
  await expect(page.getByTestId('ds-bulk-error')).toContainText(/not a valid regular expression \(Unterminated group\)/i);

  // Tag frequency: clicking a tag selects the images that have it.
  await page.getByTestId('ds-tag').filter({ hasText: 'sofa' }).click();
  await expect(page.getByTestId('ds-bulk-scope')).toHaveText('Apply to 1 selected:');

  // The file chooser adds to the selected dataset.
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('ds-pick-files').click();
  await (await chooser).setFiles([{ name: 'third.webp', mimeType: 'image/webp', buffer: await patterned(600, 600, 203, 'webp') }]);
  await expect(page.getByTestId('ds-import-form')).toBeVisible();
  await page.getByTestId('ds-import-start').click();
  await expect(page.getByTestId('ds-report-totals')).toContainText('1 accepted', { timeout: 30_000 });
  await expect(page.getByTestId('ds-list-item').filter({ hasText: 'E2E set' })).toContainText('3 images');
  expect(fs.existsSync(path.join(dir, 'third.webp'))).toBe(true);

  // Auto-caption: the tiny WD14-style tagger fills the caption third.webp lacks; the grid shows it.
  const tiny = execFileSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'tiny-tagger.sh')], { encoding: 'utf8' }).trim();
  await page.getByTestId('ds-tab-captions').click();
  const third = page.locator('[data-testid="ds-card"][data-file="third.webp"]').getByTestId('ds-caption');
  await expect(third).toHaveValue('');
  await page.getByTestId('ds-autocaption').click();
  await page.getByTestId('tagging-tagger-dir').fill(tiny);
  await page.getByTestId('tagging-run').click();
  await expect(page.getByTestId('tagging-dialog')).toHaveAttribute('data-phase', 'review', { timeout: 30_000 });
  await expect(page.locator('[data-testid="tagging-item"][data-file="third.webp"]')).toHaveAttribute('data-status', 'written');
  await page.getByTestId('tagging-done').click();
  await expect(third).toHaveValue(/simple background/);
  expect(fs.readFileSync(path.join(dir, 'third.txt'), 'utf8')).toMatch(/simple background/);

  // Buckets, then hand the dataset to the Train page.
  await page.getByTestId('ds-tab-buckets').click();
  await expect(page.getByTestId('ds-bucket-row').first()).toBeVisible();
  await page.getByTestId('ds-train').click();
  // The wizard opens with this dataset chosen (the handoff is then dropped from the address).
  await expect(page.getByTestId('train-wizard')).toBeVisible();
  await expect(page.getByTestId('train-dataset')).toHaveValue('E2E set');
  await expect(page).toHaveURL(/#\/train$/);
  expect(pageErrors).toEqual([]);
});
