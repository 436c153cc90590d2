// `npm run screenshots`: every page and dialog of the studio (the scenes of
// e2e/browser/studio-tour.ts) at 1440×900 and 1024×700, against the real `flux-studio serve`
// with a local ONNX model and a loopback pod, into docs/screenshots/<page>-<state>-<width>.png
// with an index (docs/screenshots/README.md). Old pictures are removed first, so a scene that
// fails leaves no stale picture behind; the run fails naming every scene that could not be shown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { startSshd, requireSshd } from '../../test/helpers/sshd';
import { test, expect, startServe, stopServe, watchPage, type Served } from '../browser/serve-fixture';
import { ROOT } from '../browser/e2e-kit';
import { ACTION_TIMEOUT_MS, SCENES, VIEWPORTS, onnxFixtures, podPython, podWorkspace, sceneName, seedStudio, showScene, sceneFilter, type Scene } from '../browser/studio-tour';

const OUT = path.join(ROOT, 'docs', 'screenshots');

interface Shot {
  scene: Scene;
  width: number;
  file: string | null;
  error: string | null;
}

async function openStudio(browser: Browser, served: Served, viewport: { width: number; height: number }, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme: 'dark', deviceScaleFactor: 1 });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  watchPage(page, errors);
  // The first visit carries the token (the page keeps it in localStorage).
  await page.goto(served.openUrl);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  return page;
}

async function photograph(pages: Page[], served: Served, scenes: Scene[], shots: Shot[]): Promise<void> {
  const only = sceneFilter();
  for (const scene of scenes.filter((s) => !only || only.test(sceneName(s)))) {
    for (const page of pages) {
      const width = page.viewportSize()?.width ?? 0;
      const file = `${sceneName(scene)}-${width}.png`;
      try {
        await showScene(scene, page, served);
        const opts = { path: path.join(OUT, file), animations: 'disabled', caret: 'hide' } as const;
        if (scene.target) await scene.target(page).screenshot(opts);
        else await page.screenshot(opts);
        shots.push({ scene, width, file, error: null });
        console.log(`  ${file}`);
      } catch (err) {
        shots.push({ scene, width, file: null, error: err instanceof Error ? err.message : String(err) });
        console.log(`  ${file}: FAILED`);
      }
    }
  }
}

function writeIndex(shots: Shot[]): void {
  const lines = [
    '# Screenshots',
    '',
    'Every page and dialog of the studio, made by `npm run screenshots` (`e2e/screenshots/`, scenes in',
    '`e2e/browser/studio-tour.ts`) against `flux-studio serve` with a local ONNX model (a tiny random-weight',
    'FLUX-schnell export, so generated images are noise), a loopback pod (real sshd, the stand-in worker),',
    'seeded gallery images, a dataset with import warnings and a finished training run. Regenerate after a',
    'visible change and look at them before merging. Settings sections are captured as elements; everything',
    'else is the viewport a user sees.',
    '',
    `| page | state | ${VIEWPORTS.map((v) => `${v.width}×${v.height}`).join(' | ')} |`,
    `|---|---|${VIEWPORTS.map(() => '---').join('|')}|`,
  ];
  for (const scene of SCENES) {
    const cells = VIEWPORTS.map((v) => {
      const s = shots.find((x) => x.scene === scene && x.width === v.width);
      return s?.file ? `[${s.file}](${encodeURI(s.file)})` : `missing: ${(s?.error ?? 'not run').split('\n')[0]?.replace(/\|/g, '/')}`;
    });
    lines.push(`| ${scene.page} | ${scene.state} | ${cells.join(' | ')} |`);
  }
  fs.writeFileSync(path.join(OUT, 'README.md'), `${lines.join('\n')}\n`);
}

test('every page and dialog at 1440×900 and 1024×700', async ({ browser }) => {
  requireSshd();
  fs.mkdirSync(OUT, { recursive: true });
  const only = sceneFilter();
  for (const f of fs.readdirSync(OUT)) if (f.endsWith('.png') && (!only || only.test(f))) fs.rmSync(path.join(OUT, f));

  const fixtures = onnxFixtures();
  const sshd = await startSshd();
  const pod = { sshd, python: podPython(), ws: podWorkspace() };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-studio-screenshots-'));
  const { proc, served } = await startServe(dataDir);
  const errors: string[] = [];
  const shots: Shot[] = [];
  let pages: Page[] = [];
  try {
    pages = await Promise.all(VIEWPORTS.map((v) => openStudio(browser, served, v, errors)));
    await photograph(pages, served, SCENES.filter((s) => s.phase === 'empty'), shots);
    console.log('  seeding the studio (local model, loopback pod, gallery, dataset, training run)…');
    await seedStudio(pages[0]!, served, pod, fixtures);
    await photograph(pages, served, SCENES.filter((s) => s.phase === 'seeded'), shots);
    if (!only) writeIndex(shots);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- serve output ---\n${served.output().slice(-4000)}`);
  } finally {
    // The pages go first: a page whose server went away logs its socket's failure.
    for (const p of pages) await p.context().close();
    await stopServe(proc);
    await sshd.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(pod.ws, { recursive: true, force: true });
  }
  const failed = shots.filter((s) => s.error).map((s) => `${sceneName(s.scene)} at ${s.width}: ${s.error}`);
  expect(failed, 'scenes that could not be shown (no picture was written for them)').toEqual([]);
  expect(errors, 'console errors, page errors or CSP violations').toEqual([]);
});
