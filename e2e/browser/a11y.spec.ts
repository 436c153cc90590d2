// Accessibility of every page and dialog (the scenes of studio-tour.ts, the same ones
// `npm run screenshots` photographs) in the real `flux-studio serve`: axe-core finds no serious
// or critical violation of WCAG 2.1 A/AA at 1440×900 or 1024×700. A new user's empty studio and
// one in use (local model, loopback pod, gallery, dataset with warnings, a finished run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { requireSshd, startSshd, type TestSshd } from '../../test/helpers/sshd';
import { test, expect, startServe, stopServe, watchPage, type Served } from './serve-fixture';
import { ACTION_TIMEOUT_MS, SCENES, VIEWPORTS, onnxFixtures, podPython, podWorkspace, sceneName, seedStudio, showScene, type Scene } from './studio-tour';

/** What axe found that is serious or critical, one line per rule and element. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`));
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

// Settings is one page: its first scene loads every section, so axe runs on it once.
const scenes = (phase: Scene['phase']) =>
  SCENES.filter((s) => s.phase === phase).filter((s, i, all) => s.page !== 'settings' || all.findIndex((o) => o.page === 'settings') === i);

for (const phase of ['empty', 'seeded'] as const) {
  test.describe(phase === 'empty' ? 'a new user’s studio' : 'a studio in use', () => {
    let served: Served;
    let stop: () => Promise<void> = async () => {};
    let sshd: TestSshd | null = null;
    let ws = '';
    const errors: string[] = [];
    const pages = new Map<number, Page>();

    test.beforeAll(async ({ browser }) => {
      test.setTimeout(10 * 60_000);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-a11y-'));
      const started = await startServe(dataDir);
      served = started.served;
      stop = async () => {
        await stopServe(started.proc);
        fs.rmSync(dataDir, { recursive: true, force: true });
      };
      for (const v of VIEWPORTS) pages.set(v.width, await openStudio(browser, served, v, errors));
      if (phase === 'seeded') {
        requireSshd();
        const fixtures = onnxFixtures();
        sshd = await startSshd();
        ws = podWorkspace();
        await seedStudio(pages.get(VIEWPORTS[0].width)!, served, { sshd, python: podPython(), ws }, fixtures);
      }
    });
    test.afterAll(async () => {
      for (const p of pages.values()) await p.context().close();
      await stop();
      await sshd?.stop();
      if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    // One test per viewport that visits every scene and lists every violation it meets.
    for (const v of VIEWPORTS) {
      test(`every page and dialog at ${v.width}×${v.height}: no serious or critical axe violations`, async () => {
        test.setTimeout(10 * 60_000);
        const page = pages.get(v.width)!;
        const found: Record<string, string[]> = {};
        for (const scene of scenes(phase)) {
          const name = scene.page === 'settings' ? 'settings (every section)' : sceneName(scene);
          try {
            await showScene(scene, page, served);
            const violations = await seriousViolations(page);
            if (violations.length) found[name] = violations;
          } catch (err) {
            found[name] = [err instanceof Error ? err.message : String(err)];
          }
        }
        expect(found).toEqual({});
        expect(errors, 'console errors, page errors or CSP violations').toEqual([]);
      });
    }
  });
}
