// Shared by the training tests and the bench: a dataset in ai-toolkit's format, a studio
// whose "local" training target runs the stand-in run.py (native/fixtures/ai-toolkit-standin)
// with the real Python, and waiting on training.updated events.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TrainingRun } from '@shared/contract/training';
import type { Studio, StudioOptions } from '../../src-main/studio';
import { makeStudio, REPO_ROOT, tempDir } from '../helpers/studio';

export const STANDIN_DIR = path.join(REPO_ROOT, 'native', 'fixtures', 'ai-toolkit-standin');

let python: string | null = null;
/** The real interpreter (not a pyenv shim), so `kill -0` and /proc see the training process itself. */
export function realPython(): string {
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return python;
}

// A 64×64 JPEG (sharp output), so datasets hold real images.
export const JPEG = Buffer.from(
  '/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCABAAEADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAP/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AiA0iaAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA//9k=',
  'base64',
);

export function makeDataset(dir: string, count: number, caption = (i: number) => `[trigger] photo number ${i}`): string {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const stem = `img_${String(i).padStart(4, '0')}`;
    fs.writeFileSync(path.join(dir, `${stem}.jpg`), Buffer.concat([JPEG, Buffer.from(String(i))]));
    fs.writeFileSync(path.join(dir, `${stem}.txt`), caption(i));
  }
  return dir;
}

/** A studio over `dataDir` whose local target is the stand-in (Settings point at it, as a user would). */
export async function trainingStudio(dataDir: string, extra: Partial<StudioOptions> = {}): Promise<Studio> {
  const studio = await makeStudio({ dataDir, training: { pollMs: 100, stopGraceMs: 3000 }, ...extra });
  studio.settings.update({ trainingToolkitDir: STANDIN_DIR, trainingPython: realPython() });
  return studio;
}

export function newDataDir(datasetName = 'faces', images = 6): string {
  const dataDir = tempDir('flux-training-');
  makeDataset(path.join(dataDir, 'datasets', datasetName), images);
  return dataDir;
}

/** Resolve when the run satisfies `pred` (checked on every training.updated and every 200 ms). */
export function waitRun(studio: Studio, id: string, pred: (r: TrainingRun) => boolean, timeoutMs = 60_000): Promise<TrainingRun> {
  return new Promise((resolve, reject) => {
    const done = (r: TrainingRun | undefined, err?: Error) => {
      clearInterval(timer);
      clearTimeout(to);
      off();
      if (err) reject(err);
      else resolve(r as TrainingRun);
    };
    const check = () => {
      const r = studio.training.list().find((x) => x.id === id);
      if (r && pred(r)) done(r);
    };
    const off = studio.events.subscribe((name) => {
      if (name === 'training.updated') check();
    });
    const timer = setInterval(check, 200);
    const to = setTimeout(() => {
      const r = studio.training.list().find((x) => x.id === id);
      done(undefined, new Error(`timed out waiting for run ${id}; now ${JSON.stringify(r)}`));
    }, timeoutMs);
    check();
  });
}

export const ENDED = (r: TrainingRun) => !['queued', 'preparing', 'running', 'stopping'].includes(r.state);

/** Plan with the wizard defaults plus overrides, and start. */
export async function planAndStart(
  studio: Studio,
  req: { dataset?: string; name: string; steps: number; saveEvery: number; sampleEvery: number; stepSeconds: number; oomAt?: number; prompts?: string[] },
): Promise<TrainingRun> {
  const plan = await studio.training.plan({
    dataset: req.dataset ?? 'faces',
    model: 'flux-dev',
    preset: '24gb-quick',
    name: req.name,
    trigger: 'p3r5on',
    steps: req.steps,
    saveEvery: req.saveEvery,
    sampleEvery: req.sampleEvery,
    samplePrompts: req.prompts ?? ['[trigger] smiling', 'a portrait of [trigger]'],
    test: { step_seconds: req.stepSeconds, ...(req.oomAt !== undefined ? { oom_at_step: req.oomAt } : {}) },
  });
  return studio.training.start({ yaml: plan.yaml, dataset: req.dataset ?? 'faces', model: 'flux-dev', target: 'local' });
}
