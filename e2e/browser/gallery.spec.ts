// The Gallery against the real `flux-studio serve`: real PNGs with parameters embedded by the
// studio's own writer are put in the output folder and indexed; then search, filter chips,
// the detail view, Remix into Generate, favourite (F) across a reload, delete + Undo, and
// loading parameters by dropping an image on Generate.
import fs from 'node:fs';
import path from 'node:path';
import { formatParameters } from '../../src-main/metadata/a1111';
import { writePngTexts } from '../../src-main/metadata/png-chunks';
import { test, expect, SCREENSHOT_DIR } from './serve-fixture';
import { FOX, LIGHTHOUSE, gradientPng, open, params, seedGallery, shot, writeImage } from './gallery-helpers';

test.beforeAll(() => {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

test('empty gallery: says how images get here and offers to add a folder', async ({ page, served, pageErrors }) => {
  await open(page, served, '#/gallery');
  await expect(page.getByTestId('gallery-empty')).toBeVisible();
  await expect(page.getByTestId('gallery-output-dir')).toHaveText(path.join(served.dataDir, 'outputs'));
  // A browser has no folder picker: a path field.
  await expect(page.getByTestId('gallery-empty-add-folder-path')).toBeVisible();
  await shot(page, 'gallery-empty.png');

  // Adding a folder of images through the UI indexes them.
  const folder = path.join(served.dataDir, 'elsewhere');
  fs.mkdirSync(folder, { recursive: true });
  writeImage(folder, 'lighthouse.png', LIGHTHOUSE, [[30, 60, 110], [200, 210, 220]]);
  await page.getByTestId('gallery-empty-add-folder-path').fill(folder);
  await page.getByTestId('gallery-empty-add-folder').click();
  await expect(page.getByTestId('gallery-tile')).toHaveCount(1, { timeout: 30_000 });
  await page.getByTestId('gallery-folders').click();
  await expect(page.getByTestId('gallery-source').filter({ hasText: folder })).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('search, filters, detail, Remix into Generate, favourite across a reload, delete and Undo', async ({ page, served, pageErrors }) => {
  // A JPEG quality chosen earlier on Generate: Remix must leave it alone.
  await open(page, served, '#/generate');
  await page.getByTestId('jpeg-quality').focus();
  await page.keyboard.press('End');
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('jpeg-quality-value')).toHaveText('80');

  await seedGallery(page, served);
  await page.getByTestId('nav-gallery').click();
  const tiles = page.getByTestId('gallery-tile');
  await expect(tiles).toHaveCount(3);
  await expect(page.getByTestId('gallery-count')).toHaveText('3 images');
  await expect(page.locator('[data-testid="gallery-tile"] img')).toHaveCount(3);
  await shot(page, 'gallery-grid.png');

  // Search narrows (debounced), and clearing brings everything back.
  await page.getByTestId('gallery-search').fill('lighthouse');
  await expect(page.getByTestId('gallery-count')).toHaveText('1 image');
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toHaveAccessibleName(/lighthouse/);
  await page.getByTestId('gallery-search').fill('nothing like this anywhere');
  await expect(page.getByTestId('gallery-no-results')).toBeVisible();
  await page.getByTestId('gallery-no-results-clear').click();
  await expect(tiles).toHaveCount(3);

  // Model chip (from the facets).
  await page.getByTestId('filter-model-flux-schnell').click();
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toHaveAccessibleName(/lighthouse/);
  await page.getByTestId('filter-model-flux-schnell').click();
  await expect(tiles).toHaveCount(3);

  // Favourite with F on the focused tile; the favourites chip shows only it; a reload keeps it.
  const fox = page.getByRole('option', { name: /red fox/ });
  await fox.click();
  await page.keyboard.press('f');
  await expect(fox).toHaveAttribute('data-favourite', 'true');
  await page.getByTestId('filter-favourites').click();
  await expect(tiles).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByRole('option', { name: /red fox/ })).toHaveAttribute('data-favourite', 'true');
  await expect(page.getByTestId('filter-favourites')).toContainText('1');
  await page.getByTestId('filter-favourites').click();
  await expect(tiles).toHaveCount(1);
  await page.getByTestId('filter-favourites').click();
  await expect(tiles).toHaveCount(3);

  // Detail: every parameter.
  await page.getByRole('option', { name: /red fox/ }).click();
  await page.keyboard.press('Enter');
  const detail = page.getByTestId('gallery-detail');
  await expect(detail).toBeVisible();
  await expect(detail.getByTestId('detail-prompt')).toHaveText(FOX.prompt ?? '');
  await expect(detail.getByTestId('detail-enhanced-from')).toContainText('fox in snow');
  await expect(detail.getByTestId('detail-model')).toContainText('flux-dev');
  await expect(detail.getByTestId('detail-seed')).toContainText('1234');
  await expect(detail.getByTestId('detail-steps')).toContainText('20');
  await expect(detail.getByTestId('detail-guidance')).toContainText('3.5');
  await expect(detail.getByTestId('detail-runtime')).toContainText('pod-a100');
  await expect(detail.getByTestId('detail-loras')).toContainText('film-grain × 0.8');
  await expect(detail.getByTestId('detail-path')).toContainText('fox.png');
  await expect(detail.getByTestId('detail-params-source')).toHaveText('FLUX Studio');
  await expect(detail.getByTestId('detail-favourite')).toHaveAttribute('aria-pressed', 'true');
  await expect(detail.getByTestId('detail-image')).toBeVisible();
  // Desktop-only actions are not offered in a browser.
  await expect(detail.getByTestId('detail-reveal')).toHaveCount(0);
  await shot(page, 'gallery-detail.png');
  // Esc closes it.
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);

  // Remix: prompt, custom size, seed locked into Generate; the JPEG quality stays at 80.
  await page.getByRole('option', { name: /red fox/ }).dblclick();
  await expect(detail).toBeVisible();
  await detail.getByTestId('detail-remix').click();
  await expect(page.getByTestId('page-generate')).toBeVisible();
  await expect(page.getByTestId('generate-prompt')).toHaveValue(FOX.prompt ?? '');
  await expect(page.getByTestId('preset-size-custom')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('size-custom-width')).toHaveValue('768');
  await expect(page.getByTestId('size-custom-height')).toHaveValue('1152');
  await expect(page.getByTestId('seed-input')).toHaveValue('1234');
  await expect(page.getByTestId('seed-lock')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('preset-model-flux-dev')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('jpeg-quality-value')).toHaveText('80');
  await expect(page.getByTestId('toast').filter({ hasText: 'seed 1234' })).toBeVisible();

  // Delete (key) then Undo brings it back.
  await page.getByTestId('nav-gallery').click();
  await expect(tiles).toHaveCount(3);
  await page.getByRole('option', { name: /ramen/ }).click();
  await page.keyboard.press('Delete');
  await expect(tiles).toHaveCount(2);
  await expect(page.getByTestId('gallery-count')).toHaveText('2 images');
  await page.getByTestId('gallery-undo-delete').click();
  await expect(tiles).toHaveCount(3);
  await expect(page.getByRole('option', { name: /ramen/ })).toBeVisible();

  // Select two (click, Ctrl-click) and export them to a folder: a job that finishes.
  await page.getByRole('option', { name: /ramen/ }).click();
  await page.getByRole('option', { name: /lighthouse/ }).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('gallery-selection-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-export').click();
  const exportDir = path.join(served.dataDir, 'exported');
  await page.getByTestId('export-path').fill(exportDir);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Export finished' })).toBeVisible({ timeout: 20_000 });
  expect(fs.readdirSync(exportDir).sort()).toHaveLength(2);
  expect(pageErrors).toEqual([]);
});

test('dropping an image on Generate loads its parameters (A1111 text), and says so when there are none', async ({ page, served, pageErrors }) => {
  await open(page, served, '#/generate');
  const a1111 = params({ prompt: 'an old map of an imaginary island, ink on parchment', seed: 99, steps: 50, guidance: 2.5, width: 1024, height: 1024, model: 'flux1-dev', source: 'a1111' });
  const png = writePngTexts(gradientPng(64, 64, [200, 180, 140], [90, 60, 30]), [['parameters', formatParameters(a1111)]]);
  const drop = async (bytes: Buffer, name: string) => {
    const dt = await page.evaluateHandle(
      ({ b64, fileName }) => {
        const bin = atob(b64);
        const arr = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
        // In the page (the spec's own types are Node's, without the DOM's DataTransfer).
        const DT = (globalThis as unknown as { DataTransfer: new () => { items: { add(f: File): void } } }).DataTransfer;
        const t = new DT();
        t.items.add(new File([arr], fileName, { type: 'image/png' }));
        return t;
      },
      { b64: bytes.toString('base64'), fileName: name },
    );
    await page.getByTestId('page-generate').dispatchEvent('dragenter', { dataTransfer: dt });
    await expect(page.getByTestId('generate-drop-overlay')).toBeVisible();
    await page.getByTestId('page-generate').dispatchEvent('drop', { dataTransfer: dt });
    await expect(page.getByTestId('generate-drop-overlay')).toHaveCount(0);
  };
  await drop(png, 'island.png');
  await expect(page.getByTestId('generate-prompt')).toHaveValue(a1111.prompt ?? '');
  await expect(page.getByTestId('seed-input')).toHaveValue('99');
  await expect(page.getByTestId('seed-lock')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('preset-size-square')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('preset-quality-quality')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('toast').filter({ hasText: /island\.png \(A1111 parameters\)/ })).toBeVisible();

  // No parameters at all: a clear error, the draft untouched.
  await drop(gradientPng(32, 32, [0, 0, 0], [255, 255, 255]), 'plain.png');
  await expect(page.getByTestId('toast').filter({ hasText: /plain\.png has no generation parameters/ })).toBeVisible();
  await expect(page.getByTestId('generate-prompt')).toHaveValue(a1111.prompt ?? '');
  expect(pageErrors).toEqual([]);
});
