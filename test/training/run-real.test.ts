// The REAL ai-toolkit (pinned commit, own venv: scripts/ai-toolkit-venv.sh) training a LoRA on
// the tiny random-weight FLUX (--base-model), on this computer, launched detached and followed
// from its log (docs/architecture.md, "Training"). What the real program prints decides:
// completed = exit 0 after the final checkpoint; the loss chart = its loss_log.db; stop =
// "Job stopped"; resume = its "Found step N". A few short runs, shared between assertions.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { TrainingRun } from '@shared/contract/training';
import type { Studio } from '../../src-main/studio';
import { makeStudio, tempDir } from '../helpers/studio';
import { ENDED, waitRun } from './helpers';
import { realRunCounter } from './real-runs';
import { cheapSamples, lossLogPoints, realDataset, realToolkit, tinyFluxDev } from './real-toolkit';

const real = realRunCounter('run-real.test.ts');
const open: Studio[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
});

async function studioFor(dataDir: string): Promise<Studio> {
  const s = await makeStudio({ dataDir, training: { pollMs: 100, stopGraceMs: 10_000 } });
  s.settings.update({ trainingToolkitDir: realToolkit().dir, trainingPython: realToolkit().python });
  real.watch(s);
  open.push(s);
  return s;
}

async function newDataDir(): Promise<string> {
  const dataDir = tempDir('flux-training-real-');
  await realDataset(path.join(dataDir, 'datasets', 'faces'), 4);
  return dataDir;
}

const hostOut = (dataDir: string, name: string) => path.join(dataDir, 'training-host', 'trainings', name, name);

async function start(studio: Studio, req: { name: string; steps: number; saveEvery: number; sampleEvery: number; skipFirstSample?: boolean; baseModel?: string }) {
  const plan = await studio.training.plan({
    dataset: 'faces',
    model: 'flux-dev',
    preset: '24gb-quick',
    target: 'local',
    trigger: 'p3r5on',
    baseModel: req.baseModel ?? tinyFluxDev(),
    resolutions: [512],
    quantize: false,
    lowVram: false,
    samplePrompts: ['[trigger] smiling'],
    name: req.name,
    steps: req.steps,
    saveEvery: req.saveEvery,
    sampleEvery: req.sampleEvery,
    skipFirstSample: req.skipFirstSample ?? false,
  });
  return studio.training.start({ yaml: cheapSamples(plan.yaml), dataset: 'faces', model: 'flux-dev', target: 'local' });
}

function watchMessages(studio: Studio): string[] {
  const seen: string[] = [];
  studio.events.subscribe((name, payload) => {
    const r = payload as TrainingRun;
    if (name === 'training.updated' && r.message && seen.at(-1) !== `${r.state}:${r.message}`) seen.push(`${r.state}:${r.message}`);
  });
  return seen;
}

describe('training with the real ai-toolkit on this computer', () => {
  test('a full run, the studio closed mid-run: reattached, completed after the final checkpoint, chart = loss_log.db', async () => {
    const dataDir = await newDataDir();
    const first = await studioFor(dataDir);
    const firstSeen = watchMessages(first);
    const run = await start(first, { name: 'real_full', steps: 20, saveEvery: 5, sampleEvery: 10 });
    await waitRun(first, run.id, (r) => r.step >= 3 || ENDED(r), 240_000);
    expect(firstSeen).toContain('running:found 4 images');
    await first.close();
    open.splice(open.indexOf(first), 1);
    const pid = Number(fs.readFileSync(path.join(dataDir, 'training-host', 'trainings', 'real_full', 'pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();

    const second = await studioFor(dataDir);
    const seen = watchMessages(second);
    expect(second.training.list().find((r) => r.id === 'real_full')).toMatchObject({ state: 'running', attached: true });
    const end = await waitRun(second, 'real_full', ENDED, 240_000);
    expect(end.state, JSON.stringify(end.error)).toBe('completed');
    expect(end.step).toBe(20);
    // "completed" only once the final checkpoint and then optimizer.pt were written; "saving" held until then.
    const finalSave = seen.indexOf('running:saving the final checkpoint');
    expect(finalSave).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('running:saved checkpoint', finalSave)).toBeGreaterThan(finalSave);
    expect(fs.existsSync(path.join(hostOut(dataDir, 'real_full'), 'optimizer.pt'))).toBe(true);
    expect([...firstSeen, ...seen].some((m) => m.startsWith('running:sampling'))).toBe(true);

    const d = second.training.get('real_full');
    const db = lossLogPoints(realToolkit().python, path.join(hostOut(dataDir, 'real_full'), 'loss_log.db'));
    expect(db.map((p) => p.step)).toEqual(Array.from({ length: 19 }, (_, i) => i + 2)); // ai-toolkit does not log its start step
    expect(d.loss).toEqual(db);
    expect(d.run.loss).toBe(db.at(-1)?.loss);
    expect(d.checkpoints.map((c) => c.file)).toEqual(['real_full.safetensors', 'real_full_000000015.safetensors', 'real_full_000000010.safetensors', 'real_full_000000005.safetensors']);
    for (const c of d.checkpoints) expect(fs.readFileSync(c.path)).toEqual(fs.readFileSync(path.join(hostOut(dataDir, 'real_full'), c.file)));
    expect(d.samples.map((s) => s.step)).toEqual([0, 10, 20]);
    expect(fs.readFileSync(path.join(dataDir, 'trainings', 'real_full', 'train.log'))).toEqual(fs.readFileSync(path.join(dataDir, 'training-host', 'trainings', 'real_full', 'train.log')));
    expect(d.logTail.join('\n')).toMatch(/Saved optimizer to .*optimizer\.pt/);
    expect(second.training.trainedLoras()[0]).toMatchObject({ runId: 'real_full', final: true, file: 'real_full.safetensors', trigger: 'p3r5on' });
  }, 600_000);

  test('stop ("Job stopped") keeps the last step; resume continues from ai-toolkit’s "Found step N" to completion', async () => {
    const dataDir = await newDataDir();
    const studio = await studioFor(dataDir);
    const run = await start(studio, { name: 'real_resume', steps: 30, saveEvery: 3, sampleEvery: 1000, skipFirstSample: true });
    await waitRun(studio, run.id, (r) => r.step >= 6 || ENDED(r), 240_000);
    studio.training.stop(run.id);
    const stopped = await waitRun(studio, run.id, ENDED, 120_000);
    expect(stopped.state).toBe('stopped');
    expect(stopped.error).toBeNull();
    expect(stopped.step).toBeGreaterThanOrEqual(6);
    expect(stopped.step).toBeLessThan(30);
    expect(stopped.message).toBe(`stopped at step ${stopped.step}`);
    expect(studio.training.get(run.id).logTail.join('\n')).toMatch(/Job stopped/);
    expect(fs.existsSync(path.join(hostOut(dataDir, 'real_resume'), 'real_resume.safetensors'))).toBe(false);
    const newest = Math.max(...studio.training.get(run.id).checkpoints.map((c) => c.step ?? 0));

    studio.training.resume(run.id);
    const resumed = await waitRun(studio, run.id, (r) => r.resumedFromStep !== null || ENDED(r), 240_000);
    expect(resumed.resumedFromStep).toBe(newest);
    expect(resumed.resumeNote).toBeNull();
    const end = await waitRun(studio, run.id, ENDED, 240_000);
    expect(end.state, JSON.stringify(end.error)).toBe('completed');
    expect(end.step).toBe(30);
    expect(studio.training.get(run.id).logTail.join('\n')).toMatch(new RegExp(`Found step ${newest} in metadata, starting from there`));
    // ai-toolkit rewrote its log from the resumed step on; the chart follows it exactly.
    expect(studio.training.get(run.id).loss).toEqual(lossLogPoints(realToolkit().python, path.join(hostOut(dataDir, 'real_resume'), 'loss_log.db')));
  }, 600_000);

  test('an error (a base model folder that holds no model) fails the run with ai-toolkit’s message', async () => {
    const dataDir = await newDataDir();
    const studio = await studioFor(dataDir);
    const empty = tempDir('flux-no-model-');
    const plan = await studio.training.plan({ dataset: 'faces', model: 'flux-dev', preset: '24gb-quick', target: 'local', name: 'real_error', baseModel: empty, steps: 3 });
    expect(plan.warnings.join('\n')).toContain(`Base model ${empty} is not a diffusers folder`);
    expect(plan.yaml).toContain(`base model ${empty} (local folder)`);
    const r = await start(studio, { name: 'real_error', steps: 3, saveEvery: 3, sampleEvery: 3, baseModel: empty });
    const end = await waitRun(studio, r.id, ENDED, 240_000);
    expect(end.state).toBe('failed');
    expect(end.error?.code).toBe('training_error');
    expect(end.error?.message).toMatch(/^ai-toolkit failed at step 0: /);
    expect(studio.training.get(r.id).logTail.join('\n')).toMatch(/Error running job: /);
  }, 300_000);
});
