// The studio from the keyboard alone, in the real `flux-studio serve` with a studio in use
// (studio-tour.ts's seed): on every page at 1440×900 and 1024×700, Tab reaches every control
// (or its group, for arrow-key groups: segmented choices, gallery tiles, caption cards), each
// focused control draws a visible focus indicator, and controls that are not native buttons,
// links or fields (switches, segmented radios, tabs, tiles) answer Space or Enter. And issue 16
// item 14: navigating by URL moves focus to the page heading without drawing a ring around it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { requireSshd, startSshd, type TestSshd } from '../../test/helpers/sshd';
import { test, expect, startServe, stopServe, watchPage, type Served } from './serve-fixture';
import { ACTION_TIMEOUT_MS, VIEWPORTS, onnxFixtures, openPage, podPython, podWorkspace, seedStudio } from './studio-tour';

const PAGES = ['generate', 'gallery', 'datasets', 'train', 'settings'] as const;

interface Stop {
  key: string;
  label: string;
  indicator: boolean;
  native: boolean;
  role: string | null;
}

// The two functions below run in the page (as source text: this project's e2e code is compiled
// without the DOM types). Every control gets a stable key in data-kb-key.
const KEY = `(el) => { if (!el.dataset.kbKey) el.dataset.kbKey = String(Math.random()).slice(2); return el.dataset.kbKey; }`;
const LABEL = `(el) => '<' + el.tagName.toLowerCase() + (el.getAttribute('role') ? ' role=' + el.getAttribute('role') : '') + '> "' + (el.getAttribute('aria-label') || el.getAttribute('data-testid') || el.textContent || '').trim().slice(0, 40) + '"'`;

/** The focused element: its key, label, whether it draws a focus indicator, whether it is a native control. */
const DESCRIBE_FOCUSED = `(() => {
  const key = ${KEY}, label = ${LABEL};
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
  const shadow = cs.boxShadow !== 'none' && cs.boxShadow !== '';
  return { key: key(el), label: label(el), indicator: outline || shadow,
    native: ['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'SUMMARY'].includes(el.tagName), role: el.getAttribute('role') };
})()`;

/** Every visible, enabled control: its key, whether Tab may reach it, and its arrow-key group (if any). */
const LIST_CONTROLS = `(() => {
  const key = ${KEY}, label = ${LABEL};
  const sel = 'a[href], button, input, select, textarea, summary, [tabindex], [role="switch"], [role="radio"], [role="tab"], [role="option"], [role="checkbox"]';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.disabled || el.closest('[inert]') || !el.checkVisibility({ visibilityProperty: true })) continue;
    if (el.matches('[data-page-heading]')) continue; // focused by the app on page changes, not a control
    const container = el.closest('[role="radiogroup"], [role="listbox"], [role="tablist"], [role="grid"], [role="toolbar"], [data-roving]');
    const radio = el.tagName === 'INPUT' && el.type === 'radio' ? 'radio:' + el.name : null;
    // A control inside a focusable element that declares the key operating it (a caption card's
    // checkbox: Space on the card selects) is reached through that element.
    const owner = el.parentElement && el.parentElement.closest('[tabindex][aria-keyshortcuts]');
    out.push({ key: key(el), label: label(el), tabbable: el.tabIndex >= 0,
      group: radio || (container ? 'group:' + key(container) : owner ? 'owner:' + key(owner) : null) });
  }
  return out;
})()`;

/** Tabs from the top of the page until focus comes round again; returns every stop. */
async function tabWalk(page: Page): Promise<Stop[]> {
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  const stops: Stop[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const stop = (await page.evaluate(DESCRIBE_FOCUSED)) as Stop | null;
    if (!stop) continue;
    if (seen.has(stop.key)) break;
    seen.add(stop.key);
    stops.push(stop);
  }
  return stops;
}

async function problemsOn(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const stops = await tabWalk(page);
  // The skip link, five pages and the jobs button come before any page's own controls.
  if (stops.length < 10) problems.push(`Tab stopped after ${stops.length} controls: ${stops.map((x) => x.label).join(', ')}`);
  for (const s of stops) if (!s.indicator) problems.push(`no visible focus indicator on ${s.label}`);
  const reached = new Set(stops.map((s) => s.key));
  const controls = (await page.evaluate(LIST_CONTROLS)) as { key: string; label: string; tabbable: boolean; group: string | null }[];
  const groupsReached = new Set(controls.filter((c) => reached.has(c.key) && c.group).map((c) => c.group));
  for (const k of reached) groupsReached.add(`owner:${k}`);
  for (const c of controls) {
    if (reached.has(c.key)) continue;
    if (c.group && groupsReached.has(c.group)) continue; // an arrow-key group: Tab reaches one member
    if (!c.tabbable && !c.group) problems.push(`taken out of the Tab order with no arrow-key group: ${c.label}`);
    else if (c.tabbable) problems.push(`not reached by Tab: ${c.label}`);
    else problems.push(`its group is not reached by Tab: ${c.label}`);
  }
  // Controls drawn from other elements must answer the keys a user tries on them.
  for (const s of stops.filter((x) => !x.native && x.role && ['switch', 'radio', 'tab', 'option', 'checkbox', 'button'].includes(x.role))) {
    const el = page.locator(`[data-kb-key="${s.key}"]`);
    if ((await el.count()) === 0) continue;
    const state = () => el.evaluate((e) => ['aria-checked', 'aria-selected', 'aria-pressed', 'aria-expanded'].map((a) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute(a)).join('|'));
    const before = await state();
    if (/^(true)\|/.test(before) || /^\w*\|true\|/.test(before)) continue; // already on: Space changes nothing
    const url = page.url();
    const dialogs = await page.locator('dialog[open], [role="dialog"]').count();
    await el.focus();
    await page.keyboard.press(s.role === 'button' ? 'Enter' : 'Space');
    const changed = (await el.count()) === 0 || (await state()) !== before || page.url() !== url || (await page.locator('dialog[open], [role="dialog"]').count()) !== dialogs;
    if (!changed) problems.push(`${s.role === 'button' ? 'Enter' : 'Space'} does nothing on ${s.label}`);
    await page.keyboard.press('Escape');
  }
  return problems;
}

async function openStudio(browser: Browser, served: Served, viewport: { width: number; height: number }, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme: 'dark' });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  watchPage(page, errors);
  await page.goto(served.openUrl);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  return page;
}

test.describe('keyboard', () => {
  let served: Served;
  let stop: () => Promise<void> = async () => {};
  let sshd: TestSshd | null = null;
  let ws = '';
  const errors: string[] = [];
  const pages = new Map<number, Page>();

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(10 * 60_000);
    requireSshd();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-keyboard-'));
    const started = await startServe(dataDir);
    served = started.served;
    stop = async () => {
      await stopServe(started.proc);
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
    for (const v of VIEWPORTS) pages.set(v.width, await openStudio(browser, served, v, errors));
    sshd = await startSshd();
    ws = podWorkspace();
    await seedStudio(pages.get(VIEWPORTS[0].width)!, served, { sshd, python: podPython(), ws }, onnxFixtures());
  });
  test.afterAll(async () => {
    for (const p of pages.values()) await p.context().close();
    await stop();
    await sshd?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  for (const v of VIEWPORTS) {
    test(`every control on every page is reached by Tab, shows focus and answers the keyboard at ${v.width}×${v.height}`, async () => {
      test.setTimeout(5 * 60_000);
      const page = pages.get(v.width)!;
      const found: Record<string, string[]> = {};
      for (const id of PAGES) {
        await openPage(page, served, id);
        await expect(page.getByTestId(`page-${id}`)).toBeVisible();
        const problems = await problemsOn(page);
        if (problems.length) found[id] = problems;
      }
      expect(found).toEqual({});
      expect(errors, 'console errors, page errors or CSP violations').toEqual([]);
    });
  }

  test('the check itself: it finds a control without a focus indicator, one out of the Tab order, and a switch that ignores Space', async () => {
    const page = pages.get(VIEWPORTS[0].width)!;
    await openPage(page, served, 'settings');
    await page.evaluate(`(() => {
      const main = document.querySelector('main');
      const plain = document.createElement('button');
      plain.textContent = 'no ring'; plain.className = 'kb-probe'; plain.style.outline = 'none'; plain.style.boxShadow = 'none';
      plain.addEventListener('focus', () => { plain.style.outline = 'none'; });
      const hidden = document.createElement('button');
      hidden.textContent = 'out of order'; hidden.tabIndex = -1;
      const dead = document.createElement('div');
      dead.textContent = 'dead switch'; dead.tabIndex = 0; dead.setAttribute('role', 'switch'); dead.setAttribute('aria-checked', 'false');
      dead.style.outline = '2px solid red';
      main.prepend(plain, hidden, dead);
    })()`);
    // Every rule, inline focus style included, must let the probe through without a ring.
    await page.evaluate(`document.querySelector('.kb-probe').style.setProperty('outline', 'none', 'important')`);
    const problems = await problemsOn(page);
    expect(problems).toEqual(
      expect.arrayContaining([
        'no visible focus indicator on <button> "no ring"',
        'taken out of the Tab order with no arrow-key group: <button> "out of order"',
        'Space does nothing on <div role=switch> "dead switch"',
      ]),
    );
  });

  test('navigating by URL moves focus to the page heading without drawing a ring (issue 16, item 14)', async () => {
    const page = pages.get(VIEWPORTS[0].width)!;
    await openPage(page, served, 'generate');
    for (const id of ['gallery', 'datasets', 'train', 'settings', 'generate'] as const) {
      // As typing the address does: a hash change with no click before it.
      await page.evaluate(`window.location.hash = '#/${id}'`);
      const heading = page.getByTestId(`page-${id}`).getByRole('heading', { level: 1 });
      await expect(heading).toBeFocused();
      await expect(heading).toHaveCSS('outline-style', 'none');
      await expect(heading).toHaveCSS('box-shadow', 'none');
      // The next Tab starts inside the page, and that control does show its ring.
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate(DESCRIBE_FOCUSED)) as Stop | null;
      expect(focused?.indicator, `after ${id}'s heading, Tab reached ${focused?.label ?? 'nothing'}`).toBe(true);
    }
  });
});
