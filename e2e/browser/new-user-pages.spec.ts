// What a new user sees on Datasets, Train, Gallery and Settings (issue 16, items 4 and 8–12),
// at 1440×900 and 1024×700, against the real `flux-studio serve`: layout facts measured with
// bounding boxes (nothing overlaps, the caption grid starts on screen), the reasons beside
// disabled buttons with their way out, warnings grouped severity first, and screenshots of
// each screen in test-results/screenshots/new-user-pages/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { patterned } from '../../test/datasets/fixtures';
import { ROOT, api } from './e2e-kit';
import { seedGallery } from './gallery-helpers';
import { test, expect, SCREENSHOT_DIR, type Served } from './serve-fixture';

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;
const SHOTS = path.join(SCREENSHOT_DIR, 'new-user-pages');

type Box = { x: number; y: number; width: number; height: number };
/** The page's globals used inside evaluate() (the specs compile without the DOM library). */
type PageGlobals = {
  getComputedStyle(el: unknown): Record<string, string>;
  document: { createElement(tag: 'canvas'): { getContext(kind: '2d'): { font: string; measureText(text: string): { width: number } } | null } };
};
type SelectLike = { options: ArrayLike<{ text: string }>; selectedIndex: number; clientWidth: number; scrollWidth: number };

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (!b) throw new Error(`${l.toString()} has no box (not visible)`);
  return b;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function shot(page: Page, name: string, vp: { width: number }, opts: { keepMouse?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  if (!opts.keepMouse) await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SHOTS, `${name}-${vp.width}.png`), animations: 'disabled' });
}

async function open(page: Page, served: Served, hash: string): Promise<void> {
  await page.goto(`${served.openUrl}${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

async function flatPng(size: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

/** A dataset of 12 photos (captioned), a 64-px image, three flat images of different colours and one near-duplicate. */
async function seedDataset(page: Page, served: Served): Promise<void> {
  const src = path.join(served.dataDir, 'incoming', 'portraits');
  fs.mkdirSync(src, { recursive: true });
  for (let i = 0; i < 12; i++) {
    fs.writeFileSync(path.join(src, `photo_${String(i).padStart(2, '0')}.jpg`), await patterned(1024, 1024 + (i % 3) * 128, 300 + i));
    if (i % 4 !== 0) fs.writeFileSync(path.join(src, `photo_${String(i).padStart(2, '0')}.txt`), `[trigger], a portrait, number ${i}`);
  }
  fs.writeFileSync(path.join(src, 'tiny.jpg'), await patterned(64, 64, 999));
  fs.writeFileSync(path.join(src, 'flat red.png'), await flatPng(1024, [220, 40, 40]));
  fs.writeFileSync(path.join(src, 'flat blue.png'), await flatPng(1024, [40, 40, 220]));
  fs.writeFileSync(path.join(src, 'flat green.png'), await flatPng(1024, [40, 200, 40]));
  fs.writeFileSync(path.join(src, 'photo_01 copy.jpg'), await sharp(await patterned(1024, 1152, 301)).jpeg({ quality: 80 }).toBuffer());
  await api(page, served, 'datasets.import', { name: 'Portraits', sources: [src], resolutions: [512, 768, 1024] });
  await expect
    .poll(async () => (await api<{ name: string; counts: { images: number } }[]>(page, served, 'datasets.list')).find((d) => d.name === 'Portraits')?.counts.images, { timeout: 30_000 })
    .toBe(17);
  await expect.poll(async () => (await api<{ warnings: unknown[] } | null>(page, served, 'datasets.report', { name: 'Portraits' }))?.warnings.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
}

for (const vp of VIEWPORTS) {
  test.describe(`at ${vp.width}×${vp.height}`, () => {
    test.use({ viewport: vp });

    test('Datasets: header, trigger help and caption grid on screen; warnings grouped, severity first', async ({ page, served, pageErrors }) => {
      test.setTimeout(90_000);
      await seedDataset(page, served);
      await open(page, served, '#/datasets');
      await page.getByTestId('ds-list-item').filter({ hasText: 'Portraits' }).click();
      await page.getByTestId('ds-tab-captions').click();
      await expect(page.getByTestId('ds-card').first()).toBeVisible();
      await shot(page, 'datasets-captions', vp);
      await page.getByTestId('ds-bulk-toggle').click();
      await expect(page.getByTestId('ds-bulk')).toBeVisible();
      await shot(page, 'datasets-bulk', vp);

      // The caption grid's first row is within the viewport, with the bulk panel open.
      const first = await box(page.getByTestId('ds-card').first());
      expect(first.y + first.height, 'first caption card ends inside the viewport').toBeLessThanOrEqual(vp.height);

      // The trigger word's help does not run into the next label.
      const help = await box(page.getByTestId('ds-trigger-help'));
      const resLabel = await box(page.locator('label[for="ds-res-edit"]'));
      expect(overlaps(help, resLabel)).toBe(false);
      expect(help.x + help.width <= resLabel.x - 8 || help.y + help.height <= resLabel.y || resLabel.y + resLabel.height <= help.y, 'a gap between the help and the next label').toBe(true);

      // Header buttons: one row, the same top and height (or, wrapped, aligned rows).
      const buttons = page.getByTestId('ds-view-actions').locator('button');
      const boxes = await Promise.all((await buttons.all()).map((b) => box(b)));
      expect(boxes.length).toBeGreaterThanOrEqual(4);
      for (const b of boxes) {
        expect(Math.abs(b.height - (boxes[0]?.height ?? 0)), 'header buttons share a height').toBeLessThanOrEqual(1);
        const rowTop = boxes.filter((o) => Math.abs(o.y - b.y) <= 1);
        expect(rowTop.length, 'every header button lines up with a row').toBeGreaterThan(0);
      }
      const tops = [...new Set(boxes.map((b) => Math.round(b.y)))];
      for (const t of tops) for (const u of tops) if (t !== u) expect(Math.abs(t - u), 'rows, not ragged offsets').toBeGreaterThan(20);

      // Warnings: grouped by kind, errors first, a count per kind; one entry per file per kind.
      await page.getByTestId('ds-tab-report').click();
      const kinds = page.getByTestId('ds-report-warnings').getByTestId('ds-warn-kind');
      await expect(kinds.first()).toHaveAttribute('data-kind', 'too_small');
      await expect(kinds.first()).toHaveAttribute('data-severity', 'error');
      await expect(kinds.first()).toContainText('tiny.jpg');
      const severities = await kinds.evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')));
      const order = ['error', 'warning', 'info'];
      expect([...severities].sort((a, b) => order.indexOf(a ?? '') - order.indexOf(b ?? ''))).toEqual(severities);
      const dup = page.getByTestId('ds-report-warnings').locator('[data-testid="ds-warn-kind"][data-kind="near_duplicate"]');
      await expect(dup).toHaveAttribute('data-count', '1');
      await expect(dup).toContainText('photo_01 copy.jpg');
      await expect(dup).not.toContainText('flat');
      await expect(page.getByTestId('ds-report-warnings').locator('[data-kind="no_caption"]')).toHaveAttribute('data-count', '8');
      await shot(page, 'datasets-warnings', vp);
      await page.getByTestId('ds-warn-by-file').click();
      const files = await page.getByTestId('ds-report-warnings').getByTestId('ds-warn-file').evaluateAll((els) => els.map((e) => e.getAttribute('data-file')));
      expect(new Set(files).size, 'each file once').toBe(files.length);
      expect(files[0]).toBe('tiny.jpg');

      // Adding the missing captions: the list's count follows.
      const before = await page.getByTestId('ds-list-item').filter({ hasText: 'Portraits' }).textContent();
      await api(page, served, 'datasets.bulk', { name: 'Portraits', op: { kind: 'append', text: 'studio light' } });
      await expect(page.getByTestId('ds-list-item').filter({ hasText: 'Portraits' })).not.toHaveText(before ?? '');
      expect(pageErrors).toEqual([]);
    });

    test('Datasets: the import form’s content keeps clear of its card border', async ({ page, served, pageErrors }) => {
      await open(page, served, '#/datasets');
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('ds-pick-files').click();
      await (await chooser).setFiles([{ name: 'one.jpg', mimeType: 'image/jpeg', buffer: await patterned(640, 640, 5) }]);
      const form = page.getByTestId('ds-import-form');
      await expect(form).toBeVisible();
      const card = await box(form);
      for (const child of await form.locator(':scope > *').all()) {
        const b = await box(child);
        expect(b.x - card.x, 'left padding').toBeGreaterThanOrEqual(12);
        expect(card.x + card.width - (b.x + b.width), 'right padding').toBeGreaterThanOrEqual(12);
        expect(b.y - card.y, 'top padding').toBeGreaterThanOrEqual(12);
        expect(card.y + card.height - (b.y + b.height), 'bottom padding').toBeGreaterThanOrEqual(12);
      }
      await shot(page, 'datasets-import-form', vp);
      expect(pageErrors).toEqual([]);
    });

    test('Train: "(not ready)" clear of the select arrow; Start says why beside it and links to Settings → Local training; YAML errors at their line', async ({ page, served, pageErrors }) => {
      const ds = path.join(served.dataDir, 'datasets', 'faces');
      fs.mkdirSync(ds, { recursive: true });
      for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(ds, `img_${i}.jpg`), await patterned(512, 512, 40 + i));
      await open(page, served, '#/train?dataset=faces');
      const target = page.getByTestId('train-target');
      await expect(target).toBeVisible();
      // The text of the selected option ends before the arrow drawn at the right.
      const fit = await target.evaluate((el) => {
        const g = globalThis as unknown as PageGlobals;
        const s = el as unknown as SelectLike;
        const cs = g.getComputedStyle(el);
        const c = g.document.createElement('canvas').getContext('2d');
        if (!c) throw new Error('no canvas');
        c.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const text = s.options[s.selectedIndex]?.text ?? '';
        const textEnd = parseFloat(cs.paddingLeft ?? '0') + c.measureText(text).width;
        const arrowStart = s.clientWidth - 16 - 5; // background-position: calc(100% - 16px), 5 px wide
        return { text, textEnd, arrowStart, paddingRight: parseFloat(cs.paddingRight ?? '0') };
      });
      expect(fit.text).toContain('(not ready)');
      expect(fit.textEnd, `"${fit.text}" ends before the arrow`).toBeLessThan(fit.arrowStart);
      expect(fit.paddingRight).toBeGreaterThanOrEqual(28);
      const dsFit = await page.getByTestId('train-dataset').evaluate((el) => {
        const s = el as unknown as SelectLike;
        return { scroll: s.scrollWidth, client: s.clientWidth, text: s.options[s.selectedIndex]?.text ?? '' };
      });
      expect(dsFit.text).toBe('faces (12)');

      // Step 1: "Start with defaults" is disabled, and says why beside it with the way out.
      await expect(page.getByTestId('train-start-defaults')).toBeDisabled();
      const why = page.getByTestId('train-start-why');
      await expect(why).toContainText('This computer is not ready');
      await expect(page.getByTestId('train-target-hint').getByTestId('train-setup-local')).toBeVisible();
      await shot(page, 'train-step1', vp);

      // The review step: Start disabled, the reason next to it (not only a tooltip).
      for (let i = 0; i < 5; i++) await page.getByTestId('train-next').click();
      const start = page.getByTestId('train-start');
      await expect(start).toBeDisabled();
      await expect(start).toHaveAttribute('aria-describedby', 'train-start-why');
      const reason = await box(why);
      const button = await box(start);
      expect(Math.abs(reason.y + reason.height / 2 - (button.y + button.height / 2)), 'the reason sits beside the button').toBeLessThan(40);
      await expect(why.getByTestId('train-setup-local')).toBeVisible();

      // The YAML editor: monospace, line numbers, the error shown at its line.
      const yaml = page.getByTestId('train-yaml');
      const font = await yaml.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).fontFamily);
      expect(font).toMatch(/mono/i);
      const numbers = page.getByTestId('yaml-line-number');
      expect(await numbers.count()).toBeGreaterThan(20);
      const text = await yaml.inputValue();
      const lines = text.split('\n');
      const lrLine = lines.findIndex((l) => /^\s+lr: /.test(l)) + 1;
      expect(lrLine).toBeGreaterThan(1);
      lines[lrLine - 1] = (lines[lrLine - 1] ?? '').replace(/lr: .*/, 'lr: fast');
      await yaml.fill(lines.join('\n'));
      const inline = page.getByTestId('yaml-inline-error');
      await expect(inline).toHaveAttribute('data-line', String(lrLine));
      await expect(page.getByTestId('train-yaml-errors')).toContainText(`Line ${lrLine}`);
      // Scroll the line into view, then: the message sits just under its line, and the gutter marks that line.
      await page.getByTestId('yaml-goto-line').click();
      const marked = numbers.nth(lrLine - 1);
      await expect(marked).toHaveClass(/is-error/);
      const lineBox = await box(marked);
      const msgBox = await box(inline);
      expect(msgBox.y - (lineBox.y + lineBox.height)).toBeGreaterThanOrEqual(-2);
      expect(msgBox.y - (lineBox.y + lineBox.height)).toBeLessThanOrEqual(4);
      await expect(why).toContainText(/This computer is not ready/);
      await shot(page, 'train-review', vp);

      // The way out opens Settings → Local training.
      await why.getByTestId('train-setup-local').click();
      await expect(page.getByTestId('settings-local-training')).toBeInViewport();
      expect(pageErrors).toEqual([]);
    });

    test('Settings: Local training fields and Check; Models rows inside the card padding; sizes apart from their labels', async ({ page, served, pageErrors }) => {
      const fixtures = execFileSync('bash', [path.join(ROOT, 'scripts', 'onnx-fixtures.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 }).trim().split('\n').at(-1) ?? '';
      await api(page, served, 'local.addModel', { path: path.join(fixtures, 'sd-turbo', 'onnx') });
      await open(page, served, '#/settings/local-training');
      const section = page.getByTestId('settings-local-training');
      await expect(section).toBeInViewport();
      await expect(page.getByTestId('toolkit-check')).toBeDisabled();
      await expect(page.getByTestId('toolkit-check-why')).toContainText('Set the ai-toolkit folder and its Python above');
      // A wrong folder and a wrong Python: named at their fields.
      await page.getByTestId('settings-toolkit-dir').fill(served.dataDir);
      await page.getByTestId('settings-toolkit-dir').press('Enter');
      await page.getByTestId('settings-training-python').fill(path.join(served.dataDir, 'no-python'));
      await page.getByTestId('settings-training-python').press('Enter');
      await expect(page.getByTestId('toolkit-check')).toBeEnabled();
      await page.getByTestId('toolkit-check').click();
      await expect(page.getByTestId('toolkit-check-result')).toHaveAttribute('data-ok', 'false');
      await expect(page.getByTestId('toolkit-check-problem-toolkitDir')).toContainText('has no run.py');
      await expect(page.getByTestId('toolkit-check-problem-python')).toContainText('does not exist');
      await section.scrollIntoViewIfNeeded();
      await shot(page, 'settings-local-training', vp);

      const models = page.getByTestId('settings-models');
      await models.scrollIntoViewIfNeeded();
      const card = await box(models);
      const title = await box(models.getByRole('heading', { name: 'Models' }));
      expect(title.x - card.x, 'the card is padded').toBeGreaterThanOrEqual(16);
      const row = models.getByTestId('settings-model-row');
      await expect(row).toHaveCount(1);
      const r = await box(row);
      expect(r.x, 'the model row starts at the card padding, in line with the title').toBeGreaterThanOrEqual(title.x - 1);
      expect(card.x + card.width - (r.x + r.width), 'and ends inside it').toBeGreaterThanOrEqual(16);
      // "14 MB" and "in use" are apart: a gap between the size and the badge.
      const size = await box(row.getByTestId('model-size'));
      const badge = await box(row.getByTestId('model-in-use'));
      expect(badge.x - (size.x + size.width), 'space between the size and "in use"').toBeGreaterThanOrEqual(6);
      await shot(page, 'settings-models', vp);
      expect(pageErrors).toEqual([]);
    });

    test('Gallery: prompt, model and size under each tile; crop or fit; an Open button', async ({ page, served, pageErrors }) => {
      await open(page, served, '#/gallery');
      await seedGallery(page, served);
      await open(page, served, '#/gallery');
      const tile = page.getByTestId('gallery-tile').first();
      await expect(tile).toBeVisible();
      const caption = tile.getByTestId('tile-caption');
      await expect(caption).toBeVisible();
      await expect(caption).toContainText(/fox|lighthouse|ramen/);
      await expect(caption).toContainText(/×/);
      // Crop (square) or fit (the whole image).
      await page.getByTestId('gallery-fit-fit').click();
      await expect(tile.locator('img')).toHaveCSS('object-fit', 'contain');
      await page.getByTestId('gallery-fit-crop').click();
      await expect(tile.locator('img')).toHaveCSS('object-fit', 'cover');
      await page.getByTestId('gallery-fit-fit').click();
      // Opening is a visible button on the tile, not only a footer hint.
      await tile.hover();
      const openBtn = tile.getByTestId('tile-open');
      await expect(openBtn).toBeVisible();
      await shot(page, 'gallery', vp, { keepMouse: true });
      await tile.hover(); // the screenshot moved the mouse away
      await openBtn.click();
      await expect(page.getByTestId('gallery-detail')).toBeVisible();
      expect(pageErrors).toEqual([]);
    });
  });
}
