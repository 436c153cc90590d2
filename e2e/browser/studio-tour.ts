// Every page and dialog of the studio, as a list of scenes over one realistic studio: a local
// ONNX model (the tiny FLUX-schnell export), a loopback pod (real sshd, the stand-in worker),
// gallery images with parameters, a dataset with import warnings, a finished training run.
// Two users of the same list: `npm run screenshots` (e2e/screenshots/) photographs each scene
// at 1440×900 and 1024×700, and e2e/browser/a11y.spec.ts runs axe-core on each.
// Scenes find things by test id and role only, and a scene whose page or dialog is missing
// fails with its name and what was not found, never with a picture of something else.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { patterned } from '../../test/datasets/fixtures';
import type { TestSshd } from '../../test/helpers/sshd';
import { ROOT, TINY_JPEG, api } from './e2e-kit';
import { FOX, LIGHTHOUSE, RAMEN, params, writeImage } from './gallery-helpers';
import { expect, type Served } from './serve-fixture';

export const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** Every action a scene takes gives up after this long (Playwright's default is to wait forever). */
export const ACTION_TIMEOUT_MS = 15_000;

export interface TourPod {
  sshd: TestSshd;
  python: string;
  ws: string;
}

export interface Scene {
  /** The page (file name's first part): generate, gallery, datasets, train, pods, settings, jobs. */
  page: string;
  /** What is shown (file name's second part). */
  state: string;
  /** Brings the page into the state; the page was freshly loaded before. */
  show(page: Page, served: Served): Promise<void>;
  /** Capture this element instead of the viewport (a Settings section). */
  target?(page: Page): Locator;
  /** Before seeding (a new user's empty studio) or after. */
  phase: 'empty' | 'seeded';
}

const DATASET = 'Portraits';

// ---------- the studio's data ----------

/** The ONNX fixtures folder (built once by scripts/onnx-fixtures.sh, cached). */
export function onnxFixtures(): string {
  return execFileSync('bash', [path.join(ROOT, 'scripts', 'onnx-fixtures.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 })
    .trim()
    .split('\n')
    .at(-1)!;
}

/** The pod venv's python (scripts/pod-venv.sh, cached). */
export function podPython(): string {
  return path.join(execFileSync('bash', [path.join(ROOT, 'scripts', 'pod-venv.sh')], { encoding: 'utf8' }).trim(), 'bin', 'python');
}

export function podWorkspace(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flux-tour-pod-')));
}

/**
 * Fills a fresh studio as a user who has used it for a while: a local model, a connected
 * pod, images in the gallery, a dataset whose import has warnings, a finished training run.
 */
export async function seedStudio(page: Page, served: Served, pod: TourPod, fixtures: string): Promise<void> {
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  await api(page, served, 'settings.update', {
    trainingToolkitDir: path.join(ROOT, 'native', 'fixtures', 'ai-toolkit-standin'),
    trainingPython: python,
    openAfterGenerate: false,
  });
  await api(page, served, 'local.addModel', { path: path.join(fixtures, 'flux-schnell', 'onnx') });

  const saved = await api<{ id: string }>(page, served, 'pods.save', {
    name: 'loopback',
    host: '127.0.0.1',
    port: pod.sshd.port,
    user: pod.sshd.user,
    keyPath: pod.sshd.clientKeyPath,
    workspace: pod.ws,
    python: pod.python,
    pipeline: 'standin',
  });
  await api(page, served, 'pods.trust', { id: saved.id, fingerprint: pod.sshd.hostKeyFingerprint() });
  await api(page, served, 'pods.connect', { id: saved.id });

  // The gallery: images made with the studio (parameters embedded).
  const day = path.join(served.dataDir, 'outputs', '2026-01-01');
  fs.mkdirSync(day, { recursive: true });
  writeImage(day, 'fox.png', FOX, [[250, 120, 90], [40, 30, 90]]);
  writeImage(day, 'lighthouse.png', LIGHTHOUSE, [[30, 60, 110], [200, 210, 220]]);
  writeImage(day, 'ramen.png', RAMEN, [[240, 200, 120], [120, 40, 20]]);
  const more: [string, string, [number, number, number], [number, number, number]][] = [
    ['forest.png', 'a misty pine forest at sunrise, volumetric light', [20, 70, 40], [200, 220, 180]],
    ['city.png', 'a neon city street in the rain at night, reflections', [20, 10, 60], [230, 60, 160]],
    ['desert.png', 'sand dunes under a clear blue sky, long shadows', [230, 180, 110], [60, 110, 200]],
    ['portrait.png', 'studio portrait of an old sailor, dramatic lighting', [60, 40, 30], [220, 190, 160]],
    ['robot.png', 'a small friendly robot watering plants, isometric', [90, 160, 170], [250, 240, 220]],
  ];
  more.forEach(([file, prompt, a, b], i) =>
    writeImage(day, file, params({ prompt, model: i % 2 ? 'flux-dev' : 'flux-schnell', seed: 100 + i, steps: i % 2 ? 20 : 4, width: 1024, height: i % 3 ? 1024 : 768, runtime: i % 2 ? 'remote' : 'local' }), [a, b]),
  );
  await api(page, served, 'gallery.rescan');
  await expect
    .poll(async () => (await api<{ items: { thumbSmall: string | null }[] }>(page, served, 'gallery.search', { limit: 100 })).items.filter((i) => i.thumbSmall).length, {
      timeout: 30_000,
      message: 'the seeded gallery images were not indexed with thumbnails',
    })
    .toBe(3 + more.length);

  // A dataset imported from files with problems: a tiny image, a duplicate, one without a caption.
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-tour-ds-'));
  for (let i = 0; i < 6; i++) {
    fs.writeFileSync(path.join(src, `face_${i}.jpg`), await patterned(768 + 64 * (i % 3), 1024, 300 + i));
    if (i !== 5) fs.writeFileSync(path.join(src, `face_${i}.txt`), `[trigger], portrait photo ${i}, soft light`);
  }
  fs.writeFileSync(path.join(src, 'face_0 copy.jpg'), fs.readFileSync(path.join(src, 'face_0.jpg')));
  fs.writeFileSync(path.join(src, 'thumb.jpg'), await patterned(64, 64, 399));
  fs.writeFileSync(path.join(src, 'notes.jpg'), 'not a picture');
  await api(page, served, 'datasets.import', { name: DATASET, sources: fs.readdirSync(src).map((f) => path.join(src, f)), trigger: 'p3r5on' });
  await expect
    .poll(async () => (await api<unknown>(page, served, 'datasets.report', { name: DATASET })) !== null, { timeout: 60_000, message: 'the seeded dataset import did not finish' })
    .toBe(true);

  // A finished training run (the stand-in ai-toolkit, real Python) for the run detail.
  const ds = path.join(served.dataDir, 'datasets', 'faces');
  fs.mkdirSync(ds, { recursive: true });
  for (let i = 0; i < 4; i++) {
    fs.writeFileSync(path.join(ds, `img_${i}.jpg`), TINY_JPEG);
    fs.writeFileSync(path.join(ds, `img_${i}.txt`), `[trigger] photo ${i}`);
  }
  const plan = await api<{ yaml: string; name: string }>(page, served, 'training.plan', { dataset: 'faces', model: 'flux-dev', trigger: 'p3r5on', steps: 20, saveEvery: 10, sampleEvery: 10 });
  await api(page, served, 'training.start', { yaml: plan.yaml, dataset: 'faces', model: 'flux-dev' });
  await expect
    .poll(async () => (await api<{ run: { state: string } }>(page, served, 'training.get', { id: plan.name })).run.state, { timeout: 90_000, message: 'the seeded training run did not complete' })
    .toBe('completed');
  // Let the jobs above finish so the tray and the pages are at rest.
  await expect
    .poll(async () => (await api<unknown[]>(page, served, 'jobs.list', { states: ['queued', 'running'] })).length, { timeout: 60_000 })
    .toBe(0);
}

// ---------- moving around ----------

/** A fresh load of a page (dialogs closed, state reset), by URL as a user would. */
export async function openPage(page: Page, served: Served, hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${served.origin}/#/${hash}`);
  await expect(page.getByTestId('app'), 'the studio did not finish loading').toHaveAttribute('data-ready', 'true');
}

async function need(locator: Locator, what: string, timeout = 10_000): Promise<Locator> {
  await expect(locator.first(), `not found: ${what}`).toBeVisible({ timeout });
  return locator;
}

/** The Pods page where it exists (#/pods), otherwise Settings → Pods. */
async function podsHome(page: Page, served: Served): Promise<Locator> {
  const hasPage = (await page.getByTestId('nav-pods').count()) > 0;
  if (hasPage) {
    await openPage(page, served, 'pods');
    return need(page.getByTestId('page-pods'), 'the Pods page (page-pods)');
  }
  await openPage(page, served, 'settings');
  const section = await need(page.getByTestId('settings-pods'), 'Settings → Pods (settings-pods)');
  await section.scrollIntoViewIfNeeded();
  return section;
}

async function generateOn(page: Page, served: Served, runtime: 'local' | 'remote', prompt: string): Promise<void> {
  await openPage(page, served, 'generate');
  await need(page.getByTestId('page-generate'), 'the Generate page');
  const toggle = page.getByTestId(`runtime-toggle-${runtime}`);
  await need(toggle, `the ${runtime} runtime choice (runtime-toggle-${runtime})`);
  await toggle.click();
  if (runtime === 'remote') await expect(page.getByTestId('pod-picker'), 'the pod picker has no pod').toHaveValue(/pod-/);
  else await need(page.getByTestId('local-status'), 'the local runtime status (local-status)');
  await page.getByTestId('generate-prompt').fill(prompt);
}

async function runGeneration(page: Page): Promise<void> {
  // The fewest steps on offer keeps the CPU run short (the tiny model makes noise either way).
  const fast = page.getByRole('radio', { name: /^Fast/ });
  if ((await fast.count()) === 1 && (await fast.isEnabled())) await fast.click();
  const submit = page.getByTestId('generate-submit');
  await expect(submit, 'Generate is disabled').toBeEnabled();
  await submit.click();
  const view = page.getByTestId('generation-view');
  // Finished either way, then say how: a failed job's message is the reason.
  await expect(view, 'the generation did not finish').toHaveAttribute('data-state', /succeeded|failed|cancelled|interrupted/, { timeout: 180_000 });
  const state = await view.getAttribute('data-state');
  if (state !== 'succeeded') throw new Error(`the generation ${state}: ${await view.getByTestId('generation-message').textContent()}`);
  // No scrolling: the picture shows what the user sees where they clicked Generate.
  await expect.poll(() => view.getByTestId('generation-image').evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { message: 'the image did not load' }).toBeGreaterThan(0);
}

async function openDataset(page: Page, served: Served, name = DATASET): Promise<void> {
  await openPage(page, served, 'datasets');
  const item = await need(page.locator(`[data-testid="ds-list-item"][data-name="${name}"]`), `the dataset "${name}" in the list`);
  await item.click();
  await need(page.getByTestId('ds-view'), 'the dataset view (ds-view)');
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
  const zone = page.getByTestId('page-datasets');
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: dt });
}

let imports = 0;
async function dropForImport(page: Page, served: Served): Promise<void> {
  await openPage(page, served, 'datasets');
  await dropFiles(page, [
    { name: 'street 1.jpg', bytes: await patterned(832, 1216, 501), type: 'image/jpeg' },
    { name: 'street 1.txt', bytes: Buffer.from('a rainy street, night'), type: 'text/plain' },
    { name: 'street 2.png', bytes: await patterned(1024, 1024, 502, 'png'), type: 'image/png' },
    { name: 'tiny.jpg', bytes: await patterned(64, 64, 503), type: 'image/jpeg' },
    { name: 'empty.jpg', bytes: Buffer.alloc(0), type: 'image/jpeg' },
  ]);
  await need(page.getByTestId('ds-import-form'), 'the import form after a drop (ds-import-form)');
  // With datasets present the form offers "Add to" the selected one: import as a new one.
  await page.getByTestId('ds-import-form').getByRole('radio', { name: 'New dataset' }).check();
  await page.getByTestId('ds-import-name').fill(`Streets ${++imports}`);
}

async function wizardAt(page: Page, served: Served, step: number): Promise<void> {
  await openPage(page, served, 'train?dataset=faces');
  await need(page.getByTestId('train-wizard'), 'the training wizard (train-wizard)');
  for (let i = 0; i < step; i++) {
    const next = page.getByTestId('train-next');
    await expect(next, `the wizard's Next on step ${i + 1} is disabled`).toBeEnabled();
    await next.click();
  }
  if (step === WIZARD_STEPS.length - 1) await need(page.getByTestId('train-yaml'), 'the Review step (train-yaml)', 30_000);
}

const WIZARD_STEPS = ['dataset', 'model', 'preset', 'trigger', 'name', 'review'] as const;

// Pods has scenes of its own (it may move to its own page).
const SETTINGS_SECTIONS = ['general', 'local-training', 'generation', 'enhance', 'tokenizer', 'models', 'secrets', 'storage', 'maintenance', 'about'] as const;

// ---------- the scenes ----------

const emptyPage = (id: string, testId: string): Scene => ({
  page: id,
  state: 'first-run',
  phase: 'empty',
  async show(page, served) {
    await openPage(page, served, id);
    await need(page.getByTestId(`page-${id}`), `the ${id} page (page-${id})`);
    await need(page.getByTestId(testId), `the first-run state (${testId})`);
  },
});

export const SCENES: Scene[] = [
  emptyPage('generate', 'page-generate'),
  emptyPage('gallery', 'gallery-empty'),
  emptyPage('datasets', 'datasets-empty'),
  emptyPage('train', 'train-empty'),

  {
    page: 'generate',
    state: 'local',
    phase: 'seeded',
    show: (page, served) => generateOn(page, served, 'local', 'a lighthouse on a cliff at dusk, oil painting'),
  },
  {
    page: 'generate',
    state: 'local-result',
    phase: 'seeded',
    async show(page, served) {
      await generateOn(page, served, 'local', 'a lighthouse on a cliff at dusk, oil painting');
      await runGeneration(page);
    },
  },
  {
    page: 'generate',
    state: 'pod',
    phase: 'seeded',
    show: (page, served) => generateOn(page, served, 'remote', 'a red fox curled up in fresh snow at dawn'),
  },
  {
    page: 'generate',
    state: 'pod-result',
    phase: 'seeded',
    async show(page, served) {
      await generateOn(page, served, 'remote', 'a red fox curled up in fresh snow at dawn');
      await runGeneration(page);
    },
  },
  {
    page: 'generate',
    state: 'style-dialog',
    phase: 'seeded',
    async show(page, served) {
      await openPage(page, served, 'generate');
      const add = await need(page.getByTestId('style-new'), 'the new style button (style-new)');
      await add.click();
      await need(page.getByTestId('template-dialog'), 'the style dialog (template-dialog)');
    },
  },

  {
    page: 'gallery',
    state: 'grid',
    phase: 'seeded',
    async show(page, served) {
      await openPage(page, served, 'gallery');
      await need(page.getByTestId('gallery-tile'), 'gallery tiles (gallery-tile)');
      await expect.poll(() => page.getByTestId('gallery-tile').count(), { message: 'the seeded images are not all shown' }).toBeGreaterThanOrEqual(8);
    },
  },
  {
    page: 'gallery',
    state: 'detail',
    phase: 'seeded',
    async show(page, served) {
      await openPage(page, served, 'gallery');
      const tile = await need(page.getByTestId('gallery-tile'), 'gallery tiles (gallery-tile)');
      await tile.first().dblclick();
      const detail = await need(page.getByTestId('gallery-detail'), 'the image detail (gallery-detail)');
      await expect.poll(() => detail.getByTestId('detail-image').evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { message: 'the detail image did not load' }).toBeGreaterThan(0);
    },
  },

  {
    page: 'datasets',
    state: 'captions',
    phase: 'seeded',
    async show(page, served) {
      await openDataset(page, served);
      await page.getByTestId('ds-tab-captions').click();
      await need(page.getByTestId('ds-card'), 'caption cards (ds-card)');
    },
  },
  {
    page: 'datasets',
    state: 'warnings',
    phase: 'seeded',
    async show(page, served) {
      await openDataset(page, served);
      const tab = await need(page.getByTestId('ds-tab-report'), 'the import report tab (ds-tab-report)');
      await tab.click();
      await need(page.getByTestId('ds-report-warning'), 'the import warnings (ds-report-warning)');
    },
  },
  {
    page: 'datasets',
    state: 'buckets',
    phase: 'seeded',
    async show(page, served) {
      await openDataset(page, served);
      await page.getByTestId('ds-tab-buckets').click();
      await need(page.getByTestId('ds-bucket-row'), 'bucket rows (ds-bucket-row)');
    },
  },
  {
    page: 'datasets',
    state: 'import-form',
    phase: 'seeded',
    show: dropForImport,
  },
  {
    page: 'datasets',
    state: 'import-report',
    phase: 'seeded',
    async show(page, served) {
      await dropForImport(page, served);
      await page.getByTestId('ds-import-start').click();
      await need(page.getByTestId('ds-report-totals'), 'the import report (ds-report-totals)', 60_000);
      await expect(page.getByTestId('ds-report-totals'), 'the import did not finish').toContainText('accepted', { timeout: 60_000 });
    },
  },
  {
    page: 'datasets',
    state: 'tagging-dialog',
    phase: 'seeded',
    async show(page, served) {
      await openDataset(page, served);
      await page.getByTestId('ds-autocaption').click();
      await need(page.getByTestId('tagging-dialog'), 'the auto-caption dialog (tagging-dialog)');
    },
  },

  ...WIZARD_STEPS.map(
    (step, i): Scene => ({
      page: 'train',
      state: `wizard-${i + 1}-${step}`,
      phase: 'seeded',
      show: (page, served) => wizardAt(page, served, i),
    }),
  ),
  {
    page: 'train',
    state: 'run',
    phase: 'seeded',
    async show(page, served) {
      await openPage(page, served, 'train');
      const detail = await need(page.getByTestId('run-detail'), 'the run detail (run-detail)');
      await expect(detail.getByTestId('run-state'), 'the seeded run is not shown as completed').toHaveAttribute('data-state', 'completed');
      await need(detail.getByTestId('sample-image'), 'the run samples (sample-image)');
    },
  },

  {
    page: 'pods',
    state: 'list',
    phase: 'seeded',
    async show(page, served) {
      const home = await podsHome(page, served);
      await need(home.getByTestId('pod-row'), 'the pod row (pod-row)');
    },
    target: (page) => page.getByTestId('settings-pods').or(page.getByTestId('page-pods')).first(),
  },
  {
    page: 'pods',
    state: 'editor',
    phase: 'seeded',
    async show(page, served) {
      const home = await podsHome(page, served);
      const add = await need(home.getByTestId('pod-add'), 'Add pod (pod-add)');
      await add.click();
      await need(page.getByTestId('pod-editor'), 'the pod editor (pod-editor)');
    },
  },
  {
    page: 'pods',
    state: 'fingerprint-dialog',
    phase: 'seeded',
    async show(page, served) {
      const home = await podsHome(page, served);
      const check = await need(home.getByTestId('pod-check-key'), 'the check-host-key button (pod-check-key)');
      await check.first().click();
      const dialog = await need(page.getByTestId('fingerprint-dialog'), 'the fingerprint dialog (fingerprint-dialog)');
      await need(dialog.getByTestId('fingerprint-value'), 'the fingerprint (fingerprint-value)');
    },
  },

  ...SETTINGS_SECTIONS.map(
    (id): Scene => ({
      page: 'settings',
      state: id,
      phase: 'seeded',
      async show(page, served) {
        await openPage(page, served, 'settings');
        const section = await need(page.getByTestId(`settings-${id}`), `the Settings section settings-${id}`);
        await section.scrollIntoViewIfNeeded();
      },
      target: (page) => page.getByTestId(`settings-${id}`),
    }),
  ),

  {
    page: 'jobs',
    state: 'tray',
    phase: 'seeded',
    async show(page, served) {
      await openPage(page, served, 'settings');
      await page.getByTestId('jobs-tray-button').click();
      await need(page.getByTestId('jobs-panel'), 'the jobs tray (jobs-panel)');
      await need(page.getByTestId('job-item'), 'finished jobs in the tray (job-item)');
    },
  },
];

/** `<page>-<state>`, the screenshot's name without the width. */
export function sceneName(s: Scene): string {
  return `${s.page}-${s.state}`;
}

/** Runs a scene; an error names the scene so a missing page or dialog is obvious. */
export async function showScene(scene: Scene, page: Page, served: Served): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // A scene that hangs (a dialog waiting on something) fails alone instead of stalling the tour.
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${SCENE_LIMIT_MS / 1000} s`)), SCENE_LIMIT_MS);
    });
    await Promise.race([scene.show(page, served), limit]);
    await page.mouse.move(0, 0);
    // Fades and transitions done (endless spinners aside), so pictures and contrast checks see the final colours.
    // (Polled with evaluate: waitForFunction's string form needs eval, which the studio's CSP forbids.)
    await expect
      .poll(() => page.evaluate("document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity).length"), {
        message: 'animations still running',
        timeout: 10_000,
      })
      .toBe(0);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n').slice(0, 6).join('\n') : String(err);
    throw new Error(`scene ${sceneName(scene)}: ${msg}`);
  } finally {
    clearTimeout(timer);
  }
}

const SCENE_LIMIT_MS = 240_000;

/**
 * FLUX_STUDIO_SCENES=<regex> limits a run to the scenes whose `<page>-<state>` matches (while
 * working on one page); unset, every scene runs.
 */
export function sceneFilter(): RegExp | null {
  const only = process.env.FLUX_STUDIO_SCENES;
  return only ? new RegExp(only) : null;
}
