// The prompt studio (left half of the Generate page) in a real browser against the real
// `flux-studio serve`: the live CLIP counter and the over-limit mark, trimming and undo,
// styles (templates), presets resolved by main, the seed, the persisted draft, prompt
// enhancement (missing key, and a local fake of the Messages API for the real SDK), and
// the Settings sections behind them.
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, withFakeClaude, SCREENSHOT_DIR, type Served } from './serve-fixture';

const LONG_PROMPT = [
  'A cinematic photograph of an old lighthouse on a rocky cliff at dusk, volumetric fog rolling in from the sea,',
  'warm light spilling from the lantern room, waves crashing against black basalt, a lone keeper in a yellow raincoat',
  'climbing the spiral stairs, seagulls circling overhead, dramatic storm clouds lit orange and violet by the setting sun,',
  'shot on 35mm film with visible grain, shallow depth of field, anamorphic lens flare, ultra detailed textures on the weathered stone,',
  'moss and lichen on the walls, rusty iron railings, puddles reflecting the beam, distant ships with tiny lights on the horizon',
].join(' ');

async function open(page: Page, served: Served, hash = ''): Promise<void> {
  await page.goto(`${served.openUrl}${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.mouse.move(0, 0);
  // From the top: the sidebar and the preview are sticky, so a capture from a scrolled page shows them mid-way.
  if (opts.fullPage ?? true) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: opts.fullPage ?? true, animations: 'disabled' });
}

/** The CLIP count shown, once the counter has caught up with the text. */
async function clipCount(page: Page): Promise<number> {
  await expect(page.locator('#prompt-counter')).not.toHaveClass(/is-pending/);
  const text = (await page.getByTestId('clip-count').textContent()) ?? '';
  const m = /^(\d+) \/ 75$/.exec(text.trim());
  expect(m, `clip-count "${text}"`).not.toBeNull();
  return Number(m?.[1]);
}

/** The "Will generate" summary once it answers for the current choices. */
async function summary(page: Page): Promise<Locator> {
  const box = page.getByTestId('resolve-summary');
  await expect(box).not.toHaveClass(/is-pending/);
  return box;
}

async function setPrompt(page: Page, text: string): Promise<void> {
  const field = page.getByTestId('generate-prompt');
  await field.fill(text);
  await expect(field).toHaveValue(text);
}

async function api<T>(page: Page, served: Served, call: string, body: unknown = {}): Promise<T> {
  const res = await page.request.post(`${served.origin}/api/call/${call}`, {
    headers: { Authorization: `Bearer ${served.token}` },
    data: body,
  });
  const env = (await res.json()) as { ok: boolean; data: T; error?: unknown };
  expect(env.ok, JSON.stringify(env.error)).toBe(true);
  return env.data;
}

test.beforeAll(() => {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

test('the prompt editor counts CLIP tokens live, marks what CLIP will cut, trims to 75 and undoes', async ({ page, served, pageErrors }) => {
  await open(page, served);
  const field = page.getByTestId('generate-prompt');
  await expect(field).toBeEnabled();
  await expect(page.getByTestId('generate-submit')).toBeDisabled();
  await expect(page.getByTestId('generate-disabled-reason')).toContainText('No pod yet');

  await field.pressSequentially('a red fox in the snow');
  // The count is debounced and the first one loads the tokenizer: poll, never read once.
  await expect.poll(() => clipCount(page)).toBeGreaterThan(3);
  expect(await clipCount(page)).toBeLessThanOrEqual(75);
  await expect(page.getByTestId('clip-counter')).toHaveAttribute('data-over', 'false');
  await expect(page.getByTestId('prompt-cut-mark')).toHaveCount(0);
  // T5: a count against the dev model's 512, labelled when it is only an estimate.
  await expect(page.getByTestId('t5-count')).toContainText(/T5 \d+ \/ 512/);
  const estimate = (await page.getByTestId('t5-estimate').count()) > 0;
  if (estimate) await expect(page.getByTestId('t5-estimate')).toHaveText('≈ estimate');

  // Long: the counter goes over, turns the warning colour, and the cut part is marked and spelled out.
  await setPrompt(page, LONG_PROMPT);
  await expect.poll(() => clipCount(page)).toBeGreaterThan(75);
  const over = await clipCount(page);
  await expect(page.getByTestId('clip-counter')).toHaveAttribute('data-over', 'true');
  await expect(page.getByTestId('clip-counter')).toHaveCSS('color', 'rgb(227, 168, 63)');
  const mark = page.getByTestId('prompt-cut-mark');
  await expect(mark).toBeVisible();
  const cutText = ((await mark.textContent()) ?? '').trim();
  expect(cutText.length).toBeGreaterThan(10);
  expect(LONG_PROMPT.endsWith(cutText)).toBe(true);
  await expect(page.getByTestId('prompt-cut-preview')).toContainText('Will be cut by CLIP');
  await expect(page.getByTestId('prompt-cut-preview')).toContainText(cutText.slice(-30));
  await shot(page, 'generate-over-limit.png');

  // Keyboard: Tab from the prompt reaches "Trim", then where it runs (the Generate bar under the
  // prompt), then the ways out of the disabled Generate, then the style picker, with a visible focus ring.
  await field.focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('prompt-trim')).toBeFocused();
  await expect(page.getByTestId('prompt-trim')).toHaveCSS('outline-style', 'solid');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('runtime-toggle-remote')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('fix-add-pod')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('fix-add-local-model')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('style-select')).toBeFocused();

  // Trim: the longest prefix that fits.
  await page.getByTestId('prompt-trim').click();
  const trimmed = await field.inputValue();
  expect(LONG_PROMPT.startsWith(trimmed.trimEnd())).toBe(true);
  expect(trimmed.length).toBeLessThan(LONG_PROMPT.length);
  await expect.poll(() => clipCount(page)).toBeLessThanOrEqual(75);
  const after = await clipCount(page);
  expect(after).toBeGreaterThan(60);
  await expect(page.getByTestId('prompt-cut-mark')).toHaveCount(0);
  await expect(page.getByTestId('prompt-undo-bar')).toContainText('Trimmed to 75 tokens');
  await shot(page, 'generate-trimmed.png');

  // Undo (button), trim again, undo with Ctrl+Z in the prompt.
  await page.getByTestId('prompt-undo').click();
  await expect(field).toHaveValue(LONG_PROMPT);
  await expect.poll(() => clipCount(page)).toBe(over);
  await page.getByTestId('prompt-trim').click();
  await expect(field).toHaveValue(trimmed);
  await field.focus();
  await page.keyboard.press('Control+z');
  await expect(field).toHaveValue(LONG_PROMPT);
  await expect(page.getByTestId('prompt-undo-bar')).toHaveCount(0);

  // Ctrl+Enter is Generate: no pod yet, and it says what to do.
  await field.focus();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('toast').filter({ hasText: 'No pod yet: add one' })).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('styles: a shipped one previews and applies (undoable); your own are created, validated, edited and deleted', async ({ page, served, pageErrors }) => {
  await open(page, served);
  await setPrompt(page, 'a lighthouse at dusk');
  const select = page.getByTestId('style-select');
  await expect(select.locator('option')).not.toHaveCount(1);
  await select.selectOption('builtin-cinematic');
  await expect(page.getByTestId('style-builtin')).toHaveText('shipped · read-only');
  await expect(page.getByTestId('style-edit')).toHaveCount(0);
  await expect(page.getByTestId('style-preview-text')).toHaveText(
    'cinematic film still of a lighthouse at dusk, anamorphic lens, dramatic lighting, film grain, color graded',
  );
  await expect(page.getByTestId('style-preview-text').locator('mark')).toHaveText('a lighthouse at dusk');
  await shot(page, 'generate-style-preview.png');

  await page.getByTestId('style-apply').click();
  const field = page.getByTestId('generate-prompt');
  await expect(field).toHaveValue('cinematic film still of a lighthouse at dusk, anamorphic lens, dramatic lighting, film grain, color graded');
  await expect(page.getByTestId('prompt-undo-bar')).toContainText('Cinematic still');
  await page.getByTestId('prompt-undo').click();
  await expect(field).toHaveValue('a lighthouse at dusk');

  // Create: the dialog shows main's validation next to the field it names.
  await page.getByTestId('style-new').click();
  const dialog = page.getByTestId('template-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('template-name')).toBeFocused();
  await page.getByTestId('template-text').fill('watercolor painting, soft edges');
  await page.getByTestId('template-save').click();
  await expect(page.getByTestId('template-name-error')).toBeVisible();
  await page.getByTestId('template-name').fill('Watercolor');
  await page.getByTestId('template-save').click();
  await expect(page.getByTestId('template-text-error')).toContainText('{prompt}');
  await expect(page.getByTestId('template-text')).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'generate-template-error.png', { fullPage: false });
  await page.getByTestId('template-text').fill('watercolor painting of ');
  await page.getByTestId('template-insert-slot').click();
  await page.getByTestId('template-text').press('End');
  await page.getByTestId('template-text').pressSequentially(', soft edges');
  await expect(page.getByTestId('template-text')).toHaveValue('watercolor painting of {prompt}, soft edges');
  await expect(page.getByTestId('template-text-error')).toHaveCount(0);
  await page.getByTestId('template-save').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('style-own')).toBeVisible();
  await expect(select.locator('option:checked')).toHaveText('Watercolor');
  await expect(page.getByTestId('style-preview-text')).toHaveText('watercolor painting of a lighthouse at dusk, soft edges');

  // Edit, then it survives a reload (stored by main).
  await page.getByTestId('style-edit').click();
  await expect(page.getByTestId('template-name')).toHaveValue('Watercolor');
  await page.getByTestId('template-text').fill('loose watercolor of {prompt}, wet on wet');
  await page.getByTestId('template-save').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('style-preview-text')).toHaveText('loose watercolor of a lighthouse at dusk, wet on wet');
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('style-select').locator('option:checked')).toHaveText('Watercolor');
  await expect(page.getByTestId('style-preview-text')).toHaveText('loose watercolor of a lighthouse at dusk, wet on wet');
  await page.getByTestId('style-apply').click();
  await expect(field).toHaveValue('loose watercolor of a lighthouse at dusk, wet on wet');

  // Delete (with a confirmation step).
  await page.getByTestId('style-edit').click();
  await page.getByTestId('template-delete').click();
  await page.getByTestId('template-delete-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(select).toHaveValue('');
  await expect(select.locator('option', { hasText: 'Watercolor' })).toHaveCount(0);
  const list = await api<{ name: string; builtin: boolean }[]>(page, served, 'templates.list');
  expect(list.filter((t) => !t.builtin)).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('presets: the resolved size, steps and guidance follow the choices; custom sizes are rounded or refused', async ({ page, served, pageErrors }) => {
  await open(page, served);
  await setPrompt(page, 'a lighthouse at dusk');
  let box = await summary(page);
  await expect(box.getByTestId('resolve-size')).toHaveText('1024 × 1024');
  await expect(box.getByTestId('resolve-steps')).toHaveText('20 steps');
  await expect(box.getByTestId('resolve-guidance')).toHaveText('guidance 3.5');
  await expect(page.getByTestId('preset-quality-balanced')).toContainText('20 steps');
  await expect(page.getByTestId('preset-size-portrait')).toContainText('832×1216');

  await page.getByTestId('preset-size-portrait').click();
  await page.getByTestId('preset-quality-quality').click();
  await page.getByTestId('preset-guidance-strict').click();
  box = await summary(page);
  await expect(box.getByTestId('resolve-size')).toHaveText('832 × 1216');
  await expect(box.getByTestId('resolve-steps')).toHaveText('50 steps');
  await expect(box.getByTestId('resolve-guidance')).toHaveText('guidance 5.0');
  await expect(page.getByTestId('preview-size')).toHaveText('832 × 1216 px');
  await shot(page, 'generate-presets-portrait.png');

  // Custom guidance with the keyboard: 3.5 → 3.8.
  await page.getByTestId('preset-guidance-custom').click();
  const slider = page.getByTestId('guidance-custom-slider');
  await slider.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('guidance-custom-value')).toHaveText('3.8');
  await expect((await summary(page)).getByTestId('resolve-guidance')).toHaveText('guidance 3.8');

  // schnell: 4 steps, no guidance; both controls disabled and say why.
  await page.getByTestId('preset-model-flux-schnell').click();
  box = await summary(page);
  await expect(box.getByTestId('resolve-steps')).toHaveText('4 steps');
  await expect(box.getByTestId('resolve-guidance')).toHaveText('no guidance');
  await expect(page.getByTestId('preset-guidance-strict')).toBeDisabled();
  await expect(page.getByTestId('preset-quality-quality')).toBeDisabled();
  await expect(page.getByTestId('guidance-disabled-note')).toHaveText('schnell has no guidance input');
  await expect(page.getByTestId('t5-count')).toContainText('/ 256');
  await shot(page, 'generate-schnell.png');
  await page.getByTestId('preset-model-flux-dev').click();
  await expect((await summary(page)).getByTestId('resolve-steps')).toHaveText('50 steps');
  await expect(page.getByTestId('t5-count')).toContainText('/ 512');

  // Tab moves between the segmented controls (one stop each, on the chosen item); arrow keys move within one.
  await page.getByTestId('preset-model-flux-dev').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('preset-quality-quality')).toBeFocused();
  await expect(page.getByTestId('preset-quality-quality')).toHaveCSS('outline-style', 'solid');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('preset-size-portrait')).toBeFocused();
  await page.getByTestId('preset-size-portrait').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('preset-size-landscape')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('preset-size-landscape')).toBeFocused();
  await expect((await summary(page)).getByTestId('resolve-size')).toHaveText('1216 × 832');

  // Custom 1000×700 is rounded to multiples of 16, and the note says so.
  await page.getByTestId('preset-size-custom').click();
  await page.getByTestId('size-custom-width').fill('1000');
  await page.getByTestId('size-custom-height').fill('700');
  box = await summary(page);
  await expect(box.getByTestId('resolve-size')).toHaveText('1008 × 704');
  await expect(box.getByTestId('resolve-note')).toContainText('1008 × 704');
  // The Custom choice shows what will be used; the fields keep what was typed.
  await expect(page.getByTestId('preset-size-custom')).toContainText('1008×704');
  await expect(page.getByTestId('size-custom-used')).toContainText('1008 × 704 will be used');
  await shot(page, 'generate-custom-size-note.png');

  // 100×100 is refused with a clear message next to the size.
  await page.getByTestId('size-custom-width').fill('100');
  await page.getByTestId('size-custom-height').fill('100');
  await expect(page.getByTestId('resolve-error')).toContainText('256');
  await expect(page.getByTestId('size-error')).toContainText('Width: 100 px');
  await expect(page.getByTestId('size-error')).toContainText('under the minimum');
  await expect(page.getByTestId('size-custom-width')).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'generate-size-error.png');
  await page.getByTestId('size-custom-width').fill('');
  await expect(page.getByTestId('size-error')).toContainText('Width');

  // 4K: valid, with a warning about the training size.
  await page.getByTestId('preset-size-4k').click();
  box = await summary(page);
  await expect(box.getByTestId('resolve-size')).toHaveText('3840 × 2160');
  await expect(box.getByTestId('resolve-warning')).toBeVisible();
  await expect(page.getByTestId('size-error')).toHaveCount(0);
  await shot(page, 'generate-4k-warning.png');

  // A narrower window: one column, nothing cut off.
  await page.setViewportSize({ width: 980, height: 800 });
  const custom = await page.getByTestId('preset-size-custom').boundingBox();
  expect((custom?.x ?? 0) + (custom?.width ?? 0)).toBeLessThanOrEqual(980);
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBe(0);
  await shot(page, 'generate-narrow.png');
  expect(pageErrors).toEqual([]);
});

test('seed: random by default, dice and lock keep one, and a reload keeps the whole draft', async ({ page, served, pageErrors }) => {
  await open(page, served);
  await setPrompt(page, 'a lighthouse at dusk');
  const input = page.getByTestId('seed-input');
  const lock = page.getByTestId('seed-lock');
  await expect(input).toHaveValue('');
  await expect(input).toHaveAttribute('placeholder', 'random');
  await expect(lock).toHaveAttribute('aria-pressed', 'false');
  let seed = (await summary(page)).getByTestId('resolve-seed');
  await expect(seed).toHaveAttribute('data-random', 'true');
  // A random seed is drawn when the job is queued: the preview shows no number that would not be used.
  await expect(seed).toHaveText('random seed');

  // Lock keeps one seed: a new one, shown in the field and the summary.
  await lock.click();
  await expect(lock).toHaveAttribute('aria-pressed', 'true');
  await expect(input).toHaveValue(/^\d+$/);
  const shown = await input.inputValue();
  seed = (await summary(page)).getByTestId('resolve-seed');
  await expect(seed).toHaveText(`seed ${shown}`);
  await expect(seed).toHaveAttribute('data-random', 'false');

  // Dice: a new seed in 0..2^32-1, kept.
  await page.getByTestId('seed-dice').click();
  await expect(input).not.toHaveValue(shown);
  const rolled = Number(await input.inputValue());
  expect(Number.isInteger(rolled) && rolled >= 0 && rolled <= 4294967295).toBe(true);
  await expect((await summary(page)).getByTestId('resolve-seed')).toHaveText(`seed ${rolled}`);

  // Typing one locks it; out of range is refused inline.
  await input.fill('42');
  await expect(lock).toHaveAttribute('aria-pressed', 'true');
  await expect((await summary(page)).getByTestId('resolve-seed')).toHaveText('seed 42');
  await input.fill('4294967296');
  await expect(page.getByTestId('seed-error')).toContainText('4294967295');
  await input.fill('1234');
  await expect(page.getByTestId('seed-error')).toHaveCount(0);

  // Unlocked: random each time, shown as "random".
  await lock.click();
  await expect(input).toHaveValue('');
  await expect((await summary(page)).getByTestId('resolve-seed')).toHaveAttribute('data-random', 'true');
  await lock.click();
  await expect(lock).toHaveAttribute('aria-pressed', 'true');
  const kept = await input.inputValue();
  expect(kept).toMatch(/^\d+$/);

  // The draft survives a reload: prompt, choices, seed and its lock.
  await page.getByTestId('preset-size-portrait').click();
  await page.getByTestId('preset-quality-fast').click();
  await page.getByTestId('jpeg-quality').focus();
  await page.keyboard.press('End');
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('jpeg-quality-value')).toHaveText('80');
  await page.getByTestId('cpu-offload').click();
  await expect(page.getByTestId('cpu-offload')).toHaveAttribute('aria-checked', 'false');
  await page.reload();
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('generate-prompt')).toHaveValue('a lighthouse at dusk');
  await expect(input).toHaveValue(kept);
  await expect(lock).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('preset-size-portrait')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('preset-quality-fast')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('jpeg-quality-value')).toHaveText('80');
  await expect(page.getByTestId('cpu-offload')).toHaveAttribute('aria-checked', 'false');
  const box = await summary(page);
  await expect(box.getByTestId('resolve-line')).toHaveText(`832 × 1216 · 4 steps · guidance 3.5 · seed ${kept}`);
  await shot(page, 'generate-reloaded.png');

  // "Use my defaults" goes back to the Settings defaults and keeps the prompt.
  await page.getByTestId('draft-reset').click();
  await expect(page.getByTestId('preset-size-square')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('generate-prompt')).toHaveValue('a lighthouse at dusk');
  expect(pageErrors).toEqual([]);
});

test('enhance without a key: the first-use notice, then a missing-key error that leads to Settings → API keys', async ({ page, served, pageErrors }) => {
  await open(page, served);
  await expect(page.getByTestId('enhance-button')).toBeDisabled();
  await setPrompt(page, 'a lighthouse at dusk');
  await page.getByTestId('enhance-mode-focused').click();
  await page.getByTestId('enhance-button').click();
  const notice = page.getByTestId('enhance-notice');
  await expect(notice).toContainText('Your prompt is sent to Anthropic');
  await expect(notice).toContainText('claude-');
  await shot(page, 'generate-enhance-notice.png');
  await page.getByTestId('enhance-notice-cancel').click();
  await expect(notice).toHaveCount(0);
  expect((await api<{ enhanceNoticeAccepted: boolean }>(page, served, 'settings.get')).enhanceNoticeAccepted).toBe(false);

  await page.getByTestId('enhance-button').click();
  await page.getByTestId('enhance-notice-continue').click();
  const error = page.getByTestId('enhance-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-code', 'unavailable');
  await expect(error).toContainText('No Anthropic API key');
  await expect(page.getByTestId('generate-prompt')).toHaveValue('a lighthouse at dusk');
  expect((await api<{ enhanceNoticeAccepted: boolean }>(page, served, 'settings.get')).enhanceNoticeAccepted).toBe(true);
  await shot(page, 'generate-enhance-missing-key.png');

  // Once accepted, no notice again.
  await page.getByTestId('enhance-error-dismiss').click();
  await page.getByTestId('enhance-button').click();
  await expect(error).toBeVisible();
  await expect(notice).toHaveCount(0);

  await page.getByTestId('enhance-open-settings').click();
  await expect(page.getByTestId('page-settings')).toBeVisible();
  await expect(page).toHaveURL(/#\/settings\/api-keys$/);
  await expect(page.getByTestId('secret-anthropic-input')).toBeFocused();
  await expect(page.getByTestId('secret-anthropic-input')).toBeInViewport();

  // The notice can be brought back from Settings.
  await page.getByTestId('settings-enhance-notice-reset').click();
  await expect(page.getByTestId('settings-enhance-notice-reset')).toBeDisabled();
  expect((await api<{ enhanceNoticeAccepted: boolean }>(page, served, 'settings.get')).enhanceNoticeAccepted).toBe(false);
  expect(pageErrors).toEqual([]);
});

// ---------- enhancement against a local fake of the Anthropic Messages API ----------

const KEY = 'sk-ant-e2e-fake-key-0123456789';
const withClaude = withFakeClaude(KEY, { keyInEnv: false });

const ENHANCED_LONG = `${LONG_PROMPT}, golden hour rim light, intricate detail`;

withClaude('enhance with Claude: side by side, trimmed to CLIP (switchable), accept, edit, discard, stop waiting, errors', async ({ page, served, fake, pageErrors }) => {
  // The key goes in through Settings, like a user would.
  await open(page, served, '#/settings');
  await page.getByTestId('secret-anthropic-input').fill(KEY);
  await page.getByTestId('secret-anthropic-save').click();
  await expect(page.getByTestId('secret-anthropic-status')).toHaveText('Set (stored)');
  await page.getByTestId('nav-generate').click();

  await setPrompt(page, 'lighthouse, fog');
  fake.replyText(`"${ENHANCED_LONG}"`);
  await page.getByTestId('enhance-button').click();
  await page.getByTestId('enhance-notice-continue').click();
  const result = page.getByTestId('enhance-result');
  await expect(result).toBeVisible();
  expect(JSON.stringify(fake.messageRequests[0]?.body?.messages)).toContain('lighthouse, fog');
  await expect(page.getByTestId('enhance-original')).toHaveText('lighthouse, fog');
  await expect(page.getByTestId('enhance-trimmed-note')).toBeVisible();
  await expect(page.getByTestId('enhance-dropped')).toContainText('intricate detail');
  await shot(page, 'generate-enhance-result.png');
  // The prompt is untouched until the user decides.
  await expect(page.getByTestId('generate-prompt')).toHaveValue('lighthouse, fog');

  // Switch the trim off and on: the full answer, then the cut one.
  const trimSwitch = page.getByTestId('enhance-trim');
  await expect(trimSwitch).toHaveAttribute('aria-checked', 'true');
  await trimSwitch.click();
  await expect(page.getByTestId('enhance-dropped')).toHaveCount(0);
  await expect(page.getByTestId('enhance-enhanced')).toHaveText(ENHANCED_LONG);
  await expect(page.getByTestId('enhance-untrimmed-note')).toBeVisible();
  await trimSwitch.click();
  await expect(page.getByTestId('enhance-dropped')).toBeVisible();

  await page.getByTestId('enhance-accept').click();
  await expect(result).toHaveCount(0);
  const accepted = await page.getByTestId('generate-prompt').inputValue();
  expect(ENHANCED_LONG.startsWith(accepted.trimEnd())).toBe(true);
  await expect.poll(() => clipCount(page)).toBeLessThanOrEqual(75);
  await page.getByTestId('prompt-undo').click();
  await expect(page.getByTestId('generate-prompt')).toHaveValue('lighthouse, fog');

  // Edit: into the editor, focused, caret at the end.
  fake.replyText('a lone lighthouse in thick sea fog at dusk, warm lantern glow');
  await page.getByTestId('enhance-button').click();
  await expect(page.getByTestId('enhance-notice')).toHaveCount(0);
  await page.getByTestId('enhance-edit').click();
  const field = page.getByTestId('generate-prompt');
  await expect(field).toHaveValue('a lone lighthouse in thick sea fog at dusk, warm lantern glow');
  await expect(field).toBeFocused();
  await page.keyboard.type(', 35mm');
  await expect(field).toHaveValue('a lone lighthouse in thick sea fog at dusk, warm lantern glow, 35mm');

  // Discard leaves the prompt as it is.
  fake.replyText('something else entirely');
  await page.getByTestId('enhance-button').click();
  await expect(result).toBeVisible();
  await page.getByTestId('enhance-discard').click();
  await expect(result).toHaveCount(0);
  await expect(field).toHaveValue('a lone lighthouse in thick sea fog at dusk, warm lantern glow, 35mm');

  // A slow answer: progress with the elapsed time, and the wait can be stopped.
  fake.reply({ kind: 'message', text: 'too late', delayMs: 4000 });
  await page.getByTestId('enhance-button').click();
  const progress = page.getByTestId('enhance-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toContainText(/[1-9] s/);
  await shot(page, 'generate-enhance-progress.png');
  await page.getByTestId('enhance-cancel').click();
  await expect(progress).toHaveCount(0);
  await page.waitForTimeout(4500);
  await expect(result).toHaveCount(0);

  // Errors are shown as such: a refused key leads to Settings.
  fake.replyError(401, 'invalid x-api-key');
  await page.getByTestId('enhance-button').click();
  const error = page.getByTestId('enhance-error');
  await expect(error).toHaveAttribute('data-code', 'upstream');
  await expect(error).toContainText('401');
  await expect(page.getByTestId('enhance-open-settings')).toContainText('API keys');
  await shot(page, 'generate-enhance-error.png');
  await expect(field).toHaveValue('a lone lighthouse in thick sea fog at dusk, warm lantern glow, 35mm');
  expect(pageErrors).toEqual([]);
});

// ---------- Settings ----------

test('settings: generation defaults and preset numbers reach the Generate page; enhancement and tokenizer settings validate', async ({ page, served, pageErrors }) => {
  await open(page, served, '#/settings');
  const section = page.getByTestId('settings-generation');
  await expect(section).toBeVisible();
  await page.getByTestId('settings-default-size-landscape').click();
  await expect(page.getByTestId('settings-default-size-landscape')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('settings-default-quality-quality').click();
  await expect(page.getByTestId('settings-default-quality-quality')).toHaveAttribute('aria-checked', 'true');

  // Preset numbers: Quality means 40 steps here.
  await page.getByTestId('settings-override-steps-quality').fill('40');
  await page.getByTestId('settings-override-guidance-default').fill('9');
  await page.getByTestId('settings-overrides-save').click();
  await expect(page.getByTestId('settings-overrides-error')).toContainText('between 1 and 7');
  await page.getByTestId('settings-override-guidance-default').fill('');
  await page.getByTestId('settings-overrides-save').click();
  await expect(page.getByTestId('settings-default-quality-quality')).toContainText('40');
  const saved = await api<{ presetOverrides: unknown; jpegQuality: number }>(page, served, 'settings.get');
  expect(saved.presetOverrides).toEqual({ qualitySteps: { quality: 40 } });

  await page.getByTestId('settings-jpeg-quality').fill('88');
  await page.getByTestId('settings-jpeg-quality').press('Enter');
  await expect(page.getByTestId('settings-jpeg-quality-saved')).toBeVisible();

  // Enhancement: local checks, then saved.
  await page.getByTestId('settings-enhance-temperature').fill('2');
  await page.getByTestId('settings-enhance-temperature-save').click();
  await expect(page.getByTestId('settings-enhance-temperature-error')).toContainText('between 0 and 1');
  await page.getByTestId('settings-enhance-temperature').fill('0.4');
  await page.getByTestId('settings-enhance-temperature').press('Enter');
  await expect(page.getByTestId('settings-enhance-temperature-saved')).toBeVisible();
  await page.getByTestId('settings-enhance-trim').click();
  await expect(page.getByTestId('settings-enhance-trim')).toHaveAttribute('aria-checked', 'false');
  await expect(page.getByTestId('settings-enhance-notice-reset')).toBeDisabled();

  // The tokenizer folder: main refuses a relative path, names the field; empty means the studio's own.
  const dir = page.getByTestId('settings-clip-dir');
  await dir.fill('tokenizers/clip');
  await dir.press('Enter');
  await expect(page.getByTestId('settings-clip-dir-error')).toContainText('absolute path');
  await dir.fill('');
  await expect(page.getByTestId('settings-clip-dir-error')).toHaveCount(0);
  await expect(page.getByTestId('settings-clip-dir-save')).toBeDisabled();
  await shot(page, 'settings-generation.png');

  const after = await api<{ enhanceTemperature: number; enhanceTrimToClip: boolean; jpegQuality: number; clipTokenizerDir: string | null }>(page, served, 'settings.get');
  expect(after).toMatchObject({ enhanceTemperature: 0.4, enhanceTrimToClip: false, jpegQuality: 88, clipTokenizerDir: null });

  // A fresh draft follows the defaults.
  await page.getByTestId('nav-generate').click();
  await setPrompt(page, 'a lighthouse at dusk');
  await expect(page.getByTestId('preset-size-landscape')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('preset-quality-quality')).toContainText('40 steps');
  const box = await summary(page);
  await expect(box.getByTestId('resolve-size')).toHaveText('1216 × 832');
  await expect(box.getByTestId('resolve-steps')).toHaveText('40 steps');
  await expect(page.getByTestId('jpeg-quality-value')).toHaveText('88');
  await expect(page.getByTestId('enhance-trim')).toHaveAttribute('aria-checked', 'false');
  expect(pageErrors).toEqual([]);
});
