// More of the Gallery as a user drives it, against the real `flux-studio serve`: the detail
// view (tags that persist and filter, Copy prompt, Re-run into Generate, previous/next by
// button and key, F, Delete), the grid keyboard, a truncated file shown as a broken tile,
// the date / min-size / tag chips, folders added and removed, Rescan, and a 100,000-image
// index whose grid keeps the DOM bounded wherever it is scrolled.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import type BetterSqlite3 from 'better-sqlite3';
import type { ImageParameters } from '@shared/contract';
import { buildSyntheticIndex, createRand } from '../../bench/gallery-index.mjs';
import { test, expect, type Served } from './serve-fixture';
import { FOX, LIGHTHOUSE, RAMEN, indexAndWait, open, seedDir, shot, writeImage } from './gallery-helpers';

const require = createRequire(__filename);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

type Colours = [[number, number, number], [number, number, number]];

/**
 * Writes an image elsewhere, dates it (mtime), then renames it into `dir`: the folder's
 * watcher sees one finished file with its final date (the index dates files by mtime).
 */
function place(served: Served, dir: string, name: string, p: ImageParameters, colours: Colours, mtime: Date, scale = 4): string {
  const staging = path.join(served.dataDir, 'staging');
  fs.mkdirSync(staging, { recursive: true });
  const tmp = writeImage(staging, name, p, colours, scale);
  fs.utimesSync(tmp, mtime, mtime);
  const file = path.join(dir, name);
  fs.renameSync(tmp, file);
  return file;
}

const OLD = new Date('2025-03-10T12:00:00Z');
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/**
 * Newest first: ramen (a minute ago), lighthouse (two minutes ago, 1024 × 1024 pixels in
 * the file), fox (March 2025). The others are small files (a quarter of their size).
 */
async function seedDated(page: Page, served: Served): Promise<void> {
  const dir = seedDir(served);
  place(served, dir, 'fox.png', FOX, [[250, 120, 90], [40, 30, 90]], OLD);
  place(served, dir, 'lighthouse.png', LIGHTHOUSE, [[30, 60, 110], [200, 210, 220]], minutesAgo(2), 1);
  place(served, dir, 'ramen.png', RAMEN, [[240, 200, 120], [120, 40, 20]], minutesAgo(1));
  await indexAndWait(page, served, 3);
}

const tile = (page: Page, index: number) => page.locator(`[data-testid="gallery-tile"][data-index="${index}"]`);

test('detail view: tags persist and filter, Copy prompt, Re-run into Generate, previous/next by button and key', async ({ page, served, pageErrors }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.origin });
  await open(page, served, '#/gallery');
  await seedDated(page, served);
  const tiles = page.getByTestId('gallery-tile');
  await expect(tiles).toHaveCount(3);
  await expect(tile(page, 0)).toHaveAccessibleName(/ramen/);
  await expect(tile(page, 1)).toHaveAccessibleName(/lighthouse/);
  await expect(tile(page, 2)).toHaveAccessibleName(/red fox/);

  // Grid keyboard: click the first, arrows move the focus (and the selection), Home/End jump.
  await tile(page, 0).click();
  await expect(tile(page, 0)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(tile(page, 1)).toBeFocused();
  await expect(tile(page, 1)).toHaveAttribute('aria-selected', 'true');
  await expect(tile(page, 0)).toHaveAttribute('aria-selected', 'false');
  await page.keyboard.press('End');
  await expect(tile(page, 2)).toBeFocused();
  await page.keyboard.press('Home');
  await expect(tile(page, 0)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  // Enter opens the focused image.
  await page.keyboard.press('Enter');
  const detail = page.getByTestId('gallery-detail');
  await expect(detail).toBeVisible();
  await expect(detail.getByTestId('detail-prompt')).toHaveText(LIGHTHOUSE.prompt ?? '');
  await expect(detail).toContainText('2 of 3');
  await expect(detail.getByTestId('detail-size')).toHaveText('1024 × 1024');

  // Previous / next: buttons, then arrow keys; the ends disable the button that leads nowhere.
  await detail.getByTestId('detail-next').click();
  await expect(detail.getByTestId('detail-prompt')).toHaveText(FOX.prompt ?? '');
  await expect(detail).toContainText('3 of 3');
  await expect(detail.getByTestId('detail-next')).toBeDisabled();
  await detail.getByTestId('detail-prev').click();
  await expect(detail.getByTestId('detail-prompt')).toHaveText(LIGHTHOUSE.prompt ?? '');
  await page.keyboard.press('ArrowLeft');
  await expect(detail.getByTestId('detail-prompt')).toHaveText(RAMEN.prompt ?? '');
  await expect(detail.getByTestId('detail-prev')).toBeDisabled();
  await page.keyboard.press('ArrowLeft');
  await expect(detail).toContainText('1 of 3');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(detail.getByTestId('detail-prompt')).toHaveText(FOX.prompt ?? '');

  // F favourites the open image (and again takes it back); the grid follows.
  await page.keyboard.press('f');
  await expect(detail.getByTestId('detail-favourite')).toHaveAttribute('aria-pressed', 'true');
  await expect(tile(page, 2)).toHaveAttribute('data-favourite', 'true');
  await page.keyboard.press('F');
  await expect(detail.getByTestId('detail-favourite')).toHaveAttribute('aria-pressed', 'false');
  await expect(tile(page, 2)).toHaveAttribute('data-favourite', 'false');

  // Tags: Enter and comma add, × removes; keys typed into the field are not shortcuts.
  const tagInput = detail.getByTestId('detail-tag-input');
  await tagInput.fill('keeper');
  await tagInput.press('Enter');
  await tagInput.pressSequentially('winter,');
  await tagInput.pressSequentially('fff');
  await tagInput.press('Enter');
  await expect(detail.getByTestId('detail-tag')).toHaveText(['fff', 'keeper', 'winter']);
  await expect(detail.getByTestId('detail-favourite')).toHaveAttribute('aria-pressed', 'false');
  await detail.getByRole('button', { name: 'Remove tag fff' }).click();
  await expect(detail.getByTestId('detail-tag')).toHaveText(['keeper', 'winter']);
  // Adding one it already has changes nothing.
  await tagInput.fill('keeper');
  await tagInput.press('Enter');
  await expect(detail.getByTestId('detail-tag')).toHaveText(['keeper', 'winter']);
  await shot(page, 'gallery-detail-tags.png');

  // Copy prompt: onto the clipboard, and the button says so.
  await detail.getByTestId('detail-copy-prompt').click();
  await expect(detail.getByTestId('detail-copy-prompt')).toHaveText(/Copied/);
  // (In the page; the spec's own types are Node's, without the DOM's navigator.)
  const clipboardText = () => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText();
  expect(await page.evaluate(clipboardText)).toBe(FOX.prompt);
  // The next image starts with "Copy" again.
  await page.keyboard.press('ArrowLeft');
  await expect(detail.getByTestId('detail-copy-prompt')).toHaveText(/^\s*Copy$/);
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);

  // The tags are saved: a tag chip per tag, with counts; the chip filters; a reload keeps them.
  await expect(page.getByTestId('filter-tag-keeper')).toContainText('1');
  await expect(page.getByTestId('filter-tag-fff')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('filter-tag-winter').click();
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toHaveAccessibleName(/red fox/);
  await tiles.first().dblclick();
  await expect(detail.getByTestId('detail-tag')).toHaveText(['keeper', 'winter']);
  // Removing the only image's tag empties the filtered view; its chip stays (at 0) while it
  // is on, so it can be turned off, and is gone once off.
  await detail.getByRole('button', { name: 'Remove tag winter' }).click();
  await expect(detail.getByTestId('detail-tag')).toHaveText(['keeper']);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gallery-no-results')).toBeVisible();
  await expect(page.getByTestId('filter-tag-winter')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('filter-tag-winter')).toContainText('0');
  await page.getByTestId('filter-tag-winter').click();
  await expect(tiles).toHaveCount(3);
  await expect(page.getByTestId('filter-tag-winter')).toHaveCount(0);

  // Re-run: the same parameters, same seed (locked), into Generate.
  await tile(page, 2).dblclick();
  await expect(detail.getByTestId('detail-seed')).toHaveText('1234');
  await detail.getByTestId('detail-rerun').click();
  await expect(page.getByTestId('page-generate')).toBeVisible();
  await expect(page.getByTestId('generate-prompt')).toHaveValue(FOX.prompt ?? '');
  await expect(page.getByTestId('seed-input')).toHaveValue('1234');
  await expect(page.getByTestId('seed-lock')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('toast').filter({ hasText: 'seed 1234' })).toBeVisible();

  // Delete in the detail view moves to the trash and shows the next image; Undo brings it back.
  await page.getByTestId('nav-gallery').click();
  await tile(page, 0).dblclick();
  await expect(detail.getByTestId('detail-prompt')).toHaveText(RAMEN.prompt ?? '');
  await page.keyboard.press('Delete');
  await expect(detail.getByTestId('detail-prompt')).toHaveText(LIGHTHOUSE.prompt ?? '');
  await expect(detail).toContainText('1 of 2');
  await page.keyboard.press('Escape');
  await expect(tiles).toHaveCount(2);
  await page.getByTestId('gallery-undo-delete').click();
  await expect(tiles).toHaveCount(3);
  expect(pageErrors).toEqual([]);
});

test('filter chips: date range (presets and custom), minimum size, and together with search', async ({ page, served, pageErrors }) => {
  await open(page, served, '#/gallery');
  await seedDated(page, served);
  const tiles = page.getByTestId('gallery-tile');
  await expect(tiles).toHaveCount(3);
  const count = page.getByTestId('gallery-count');

  await page.getByTestId('filter-date-today').click();
  await expect(page.getByTestId('filter-date-today')).toHaveAttribute('aria-pressed', 'true');
  await expect(count).toHaveText('2 images');
  await expect(page.getByRole('option', { name: /red fox/ })).toHaveCount(0);
  await page.getByTestId('filter-date-30d').click();
  await expect(count).toHaveText('2 images');
  await page.getByTestId('filter-date-all').click();
  await expect(count).toHaveText('3 images');

  // Custom: from/to days, both ends inclusive.
  await page.getByTestId('filter-date-custom').click();
  await expect(page.getByTestId('filter-date-range')).toBeVisible();
  await page.getByTestId('filter-date-from').fill('2025-03-01');
  await page.getByTestId('filter-date-to').fill('2025-03-10');
  await expect(count).toHaveText('1 image');
  await expect(tiles.first()).toHaveAccessibleName(/red fox/);
  await page.getByTestId('filter-date-to').fill('2025-03-09');
  await expect(page.getByTestId('gallery-no-results')).toBeVisible();
  // Only a start: everything since.
  await page.getByTestId('filter-date-to').fill('');
  await expect(count).toHaveText('3 images');
  await page.getByTestId('filter-date-from').fill('2025-04-01');
  await expect(count).toHaveText('2 images');
  await page.getByTestId('filter-date-all').click();
  await expect(page.getByTestId('filter-date-range')).toHaveCount(0);
  await expect(count).toHaveText('3 images');

  // Minimum size: both sides of the file at least that many pixels.
  await page.getByTestId('filter-min-size').selectOption('1024');
  await expect(count).toHaveText('1 image');
  await expect(tiles.first()).toHaveAccessibleName(/lighthouse/);
  await page.getByTestId('filter-min-size').selectOption('2048');
  await expect(page.getByTestId('gallery-no-results')).toBeVisible();
  await expect(page.getByTestId('gallery-no-results')).toContainText('Nothing matches the filters chosen');
  await page.getByTestId('filter-min-size').selectOption('0');
  await expect(count).toHaveText('3 images');

  // Chips combine with each other and with the search text.
  await page.getByTestId('filter-date-7d').click();
  await page.getByTestId('gallery-search').fill('ramen');
  await expect(count).toHaveText('1 image');
  await page.getByTestId('gallery-search').fill('fox');
  await expect(page.getByTestId('gallery-no-results')).toContainText('fox');
  await page.getByTestId('gallery-no-results-clear').click();
  await expect(count).toHaveText('3 images');
  await expect(page.getByTestId('filter-date-all')).toHaveAttribute('aria-pressed', 'true');
  expect(pageErrors).toEqual([]);
});

test('a truncated file is a broken tile with its reason; folders are added and removed; Rescan finds a file the index lost', async ({ page, served, pageErrors }) => {
  await open(page, served, '#/gallery');
  const dir = seedDir(served);
  place(served, dir, 'ramen.png', RAMEN, [[240, 200, 120], [120, 40, 20]], minutesAgo(3));
  // Half a PNG: the header says 304 × 208, the pixel data stops short.
  const whole = writeImage(path.join(served.dataDir, 'staging'), 'cut.png', FOX, [[250, 120, 90], [40, 30, 90]]);
  const bytes = fs.readFileSync(whole);
  fs.rmSync(whole);
  const cut = path.join(served.dataDir, 'staging', 'half.png');
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  fs.renameSync(cut, path.join(dir, 'half.png'));
  await indexAndWait(page, served, 2, 1);

  const tiles = page.getByTestId('gallery-tile');
  await expect(tiles).toHaveCount(2);
  const broken = page.getByTestId('gallery-tile').filter({ has: page.getByTestId('gallery-tile-broken') });
  await expect(broken).toHaveCount(1);
  await expect(broken).toHaveAttribute('title', /^Broken: .+/);
  await expect(broken).toHaveAccessibleName(/Can’t show this image/);
  const reason = ((await broken.getAttribute('title')) ?? '').replace(/^Broken: /, '');
  await broken.dblclick();
  const detail = page.getByTestId('gallery-detail');
  await expect(detail.getByTestId('detail-broken')).toContainText(reason);
  await expect(detail.getByTestId('detail-path')).toContainText('half.png');
  await page.keyboard.press('Escape');
  // The good one next to it is a picture.
  await expect(page.getByRole('option', { name: /ramen/ }).locator('img')).toHaveCount(1);
  await shot(page, 'gallery-broken.png');

  // Add a folder from the Folders menu: its images join the grid; the menu lists it.
  const more = path.join(served.dataDir, 'more images');
  fs.mkdirSync(path.join(more, 'nested'), { recursive: true });
  writeImage(more, 'lighthouse.png', LIGHTHOUSE, [[30, 60, 110], [200, 210, 220]]);
  writeImage(path.join(more, 'nested'), 'fox.png', FOX, [[250, 120, 90], [40, 30, 90]]);
  await page.getByTestId('gallery-folders').click();
  const menu = page.getByTestId('gallery-folders-menu');
  await expect(menu.getByTestId('gallery-source')).toHaveCount(1);
  await expect(menu.getByTestId('gallery-source').first()).toContainText('Output folder');
  // A path that is not there: a clear error in the form, nothing added.
  await menu.getByTestId('gallery-add-folder-path').fill(path.join(served.dataDir, 'nope'));
  await menu.getByTestId('gallery-add-folder').click();
  await expect(menu.getByTestId('gallery-add-folder-error')).toContainText('does not exist');
  await menu.getByTestId('gallery-add-folder-path').fill(more);
  await menu.getByTestId('gallery-add-folder').click();
  const row = menu.getByTestId('gallery-source').filter({ hasText: more });
  await expect(row).toBeVisible();
  await expect(row).toContainText('2 images', { timeout: 30_000 });
  await expect(tiles).toHaveCount(4, { timeout: 30_000 });
  // Adding it again (or a folder inside it) is refused.
  await menu.getByTestId('gallery-add-folder-path').fill(path.join(more, 'nested'));
  await menu.getByTestId('gallery-add-folder').click();
  await expect(menu.getByTestId('gallery-add-folder-error')).toContainText('already in the gallery');

  // Remove it: its images leave the gallery; the files stay where they are.
  await row.getByTestId('gallery-source-remove').click();
  await expect(menu.getByTestId('gallery-source')).toHaveCount(1);
  await expect(tiles).toHaveCount(2);
  expect(fs.existsSync(path.join(more, 'nested', 'fox.png'))).toBe(true);
  // The output folder cannot be removed.
  await expect(menu.getByTestId('gallery-source-remove')).toHaveCount(0);

  // The index loses a row behind the watcher's back (another process, a missed event):
  // after a reload the grid shows one image; Rescan finds the file again.
  const db = new Database(path.join(served.dataDir, 'studio.db'));
  try {
    db.pragma('busy_timeout = 5000');
    expect(db.prepare("DELETE FROM images WHERE file_name = 'ramen.png'").run().changes).toBe(1);
  } finally {
    db.close();
  }
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(tiles).toHaveCount(1);
  await page.getByTestId('gallery-folders').click();
  await page.getByTestId('gallery-rescan').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Rescanning every folder' })).toBeVisible();
  await expect(tiles).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByRole('option', { name: /ramen/ })).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('100,000 images: the grid renders a bounded window of tiles wherever it is scrolled, and reaches the last image', async ({ page, served, pageErrors }) => {
  test.setTimeout(240_000);
  const N = 100_000;
  // The bench's synthetic index, written into this serve's (migrated) database.
  const db = new Database(path.join(served.dataDir, 'studio.db'));
  try {
    db.pragma('busy_timeout = 10000');
    buildSyntheticIndex({ db, inputs: path.join(served.dataDir, 'not-scanned'), rows: N, rand: createRand(0x5eed).rand });
  } finally {
    db.close();
  }
  await open(page, served, '#/gallery');
  await expect(page.getByTestId('gallery-count')).toHaveText('100,000 images', { timeout: 30_000 });
  const grid = page.getByTestId('gallery-grid');
  await expect(page.getByTestId('gallery-tile').first()).toBeVisible();

  const probe = () =>
    grid.evaluate(async (el) => {
      const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): number }).requestAnimationFrame;
      await new Promise<void>((r) => raf(() => raf(r)));
      const indices = [...el.querySelectorAll('[data-index]')].map((t) => Number(t.getAttribute('data-index')));
      return {
        rendered: Number(el.getAttribute('data-rendered')),
        inDom: el.querySelectorAll('[role="option"]').length,
        cols: Number(el.getAttribute('data-cols')),
        min: Math.min(...indices),
        max: Math.max(...indices),
        scrollTop: el.scrollTop,
        scrollHeight: el.scrollHeight,
        clientHeight: el.clientHeight,
      };
    });
  const first = await probe();
  expect(first.cols).toBeGreaterThan(0);
  // The scroller is as tall as all 100,000 tiles.
  const rows = Math.ceil(N / first.cols);
  expect(first.scrollHeight).toBeGreaterThan(rows * 100);
  let maxRendered = 0;
  const STEPS = 24;
  for (let s = 0; s <= STEPS; s++) {
    await grid.evaluate((el, f) => {
      el.scrollTop = f * (el.scrollHeight - el.clientHeight);
    }, s / STEPS);
    const p = await probe();
    maxRendered = Math.max(maxRendered, p.inDom);
    expect(p.rendered, `tiles rendered at ${p.scrollTop}px`).toBe(p.inDom);
    expect(p.inDom, `tiles in the DOM at ${p.scrollTop}px`).toBeLessThanOrEqual(300);
    expect(p.inDom).toBeGreaterThan(0);
    // The window covers what is in view.
    const rowHeight = p.scrollHeight / rows;
    const topIndex = Math.floor(p.scrollTop / rowHeight) * p.cols;
    const bottomIndex = Math.min(N - 1, Math.floor((p.scrollTop + p.clientHeight) / rowHeight) * p.cols);
    expect(p.min).toBeLessThanOrEqual(topIndex);
    expect(p.max).toBeGreaterThanOrEqual(bottomIndex);
  }
  expect(maxRendered).toBeLessThanOrEqual(300);
  // At the bottom: the last image's page is fetched (offset 99,800+) and shown.
  const last = page.locator(`[data-testid="gallery-tile"][data-index="${N - 1}"]`);
  await expect(last).toBeVisible();
  await expect(last).toHaveAttribute('data-image-id', '1'); // oldest first in the index, so last when newest first
  // Keyboard from there: Home goes back to the top (and the window follows).
  await last.click();
  await page.keyboard.press('Home');
  await expect(page.locator('[data-testid="gallery-tile"][data-index="0"]')).toBeFocused();
  await expect(page.locator('[data-testid="gallery-tile"][data-index="0"]')).toHaveAttribute('data-image-id', String(N));
  const top = await probe();
  expect(top.inDom).toBeLessThanOrEqual(300);
  expect(top.min).toBe(0);
  expect(pageErrors).toEqual([]);
});
