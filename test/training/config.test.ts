// Wizard → ai-toolkit config: every field explicit, per-family templates, presets, and a
// schema whose errors name the field path. `train plan --print` prints valid YAML.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliInProcess } from '../helpers/cli';
import type { Studio } from '../../src-main/studio';
import { buildConfig, loadTrainingCatalog, validateConfig, validateYaml, type TrainingCatalog } from '../../src-main/training/config';
import { TRAINING_MODELS, TRAINING_PRESETS, TrainingPlanRequest, type TrainingPreset } from '@shared/contract/training';
import { makeStudio, REPO_ROOT, tempDir } from '../helpers/studio';
import { makeDataset } from './helpers';

const catalog: TrainingCatalog = loadTrainingCatalog(path.join(REPO_ROOT, 'configs'));
const POD = { datasetsDir: '/workspace/datasets', trainingsDir: '/workspace/trainings' };
const plan = (over: Partial<Parameters<typeof buildConfig>[1]> = {}) =>
  buildConfig(catalog, TrainingPlanRequest.parse({ dataset: 'my_set', model: 'flux-dev', trigger: 'p3r5on', ...over }), POD);

describe('training config', () => {
  test('every model × preset builds a valid config with every dangerous-default field written', () => {
    for (const model of TRAINING_MODELS) {
      for (const preset of TRAINING_PRESETS as readonly TrainingPreset[]) {
        const c = plan({ model, preset });
        const p = c.config.process[0];
        expect(p, `${model} ${preset}`).toBeDefined();
        if (!p) continue;
        // Always write network, dtype, lr, optimizer, noise_scheduler, sampler, resolution.
        expect(p.network.type).toBe('lora');
        expect(p.network.linear).toBeGreaterThan(0);
        expect(p.train.dtype).toBe('bf16');
        expect(p.train.lr).toBeGreaterThan(1e-6);
        expect(p.train.optimizer).toBe('adamw8bit');
        expect(p.sample.sampler).toBe(p.train.noise_scheduler);
        expect(p.datasets[0]?.resolution.length).toBeGreaterThan(0);
        expect(p.training_folder).toBe(`/workspace/trainings/${c.config.name}`);
        expect(p.datasets[0]?.folder_path).toBe('/workspace/datasets/my_set');
        expect(validateConfig(JSON.parse(JSON.stringify(c))).ok).toBe(true);
      }
    }
  });

  test('family specifics: schnell’s adapter and no low_vram, SD 1.5 at 512, FLUX quantized on 24 GB only', () => {
    const schnell = plan({ model: 'flux-schnell', preset: '24gb-standard' }).config.process[0];
    expect(schnell?.model).toMatchObject({ name_or_path: 'black-forest-labs/FLUX.1-schnell', assistant_lora_path: 'ostris/FLUX.1-schnell-training-adapter', low_vram: false, quantize: true });
    expect(schnell?.sample).toMatchObject({ guidance_scale: 1, sample_steps: 4 });
    const sd15 = plan({ model: 'sd15', preset: '80gb-thorough' }).config.process[0];
    expect(sd15?.datasets[0]?.resolution).toEqual([512]);
    expect(sd15?.model.arch).toBe('sd1');
    expect(sd15?.train.noise_scheduler).toBe('ddpm');
    expect(plan({ preset: '24gb-quick' }).config.process[0]?.model).toMatchObject({ quantize: true, low_vram: true });
    expect(plan({ preset: '80gb-quick' }).config.process[0]?.model).toMatchObject({ quantize: false, low_vram: false });
    expect(plan({ model: 'sdxl', preset: '24gb-quick' }).config.process[0]?.model.quantize).toBe(false);
  });

  test('wizard values win; prompts keep [trigger]; without a trigger [trigger] is dropped from prompts', () => {
    const c = plan({ preset: '48gb-thorough', steps: 1234, rank: 24, name: 'my_run', sampleEvery: 111, saveEvery: 222 });
    const p = c.config.process[0];
    expect(c.config.name).toBe('my_run');
    expect(p?.train.steps).toBe(1234);
    expect(p?.network).toEqual({ type: 'lora', linear: 24, linear_alpha: 24 });
    expect(p?.sample.sample_every).toBe(111);
    expect(p?.save.save_every).toBe(222);
    expect(p?.trigger_word).toBe('p3r5on');
    expect(p?.sample.prompts[0]).toContain('[trigger]');
    const none = buildConfig(catalog, TrainingPlanRequest.parse({ dataset: 'my_set', model: 'sdxl' }), POD).config.process[0];
    expect(none?.trigger_word).toBeUndefined();
    expect(none?.sample.prompts.join(' ')).not.toContain('[trigger]');
  });

  test('schema errors point at the field path', () => {
    type Json = Record<string, unknown>;
    const good = JSON.parse(JSON.stringify(plan())) as Json;
    const proc = (c: Json) => ((c.config as Json).process as Json[])[0] as Record<string, Json>;
    const mutate = (fn: (c: Json) => void) => {
      const c = structuredClone(good);
      fn(c);
      const r = validateConfig(c);
      return r.ok ? [] : r.errors.map((e) => e.path);
    };
    expect(mutate((c) => delete proc(c).network)).toEqual(['config.process[0].network']);
    expect(mutate((c) => (proc(c).train!.lr = '1e-4'))).toEqual(['config.process[0].train.lr']);
    expect(mutate((c) => (proc(c).train!.lr = 0.5))).toEqual(['config.process[0].train.lr']);
    expect(mutate((c) => (proc(c).sample!.sampler = 'ddpm'))).toContain('config.process[0].sample.sampler');
    expect(mutate((c) => (((proc(c).datasets as unknown as Json[])[0] as Json).resolution = [500]))).toEqual(['config.process[0].datasets[0].resolution[0]']);
    expect(mutate((c) => ((c.config as Json).name = 'Bad Name!'))).toContain('config.name');
    expect(mutate((c) => ((proc(c) as Json).extra = 1))).toEqual(['config.process[0]']);
    expect(mutate((c) => (proc(c).model!.name_or_path = 'black-forest-labs/FLUX.1-schnell'))).toEqual(['config.process[0].model.assistant_lora_path']);
  });

  test('edited YAML is re-validated; YAML syntax errors give a line', () => {
    const yaml = YAML.stringify(plan());
    expect(validateYaml(yaml).ok).toBe(true);
    const r = validateYaml(yaml.replace(/linear_alpha: \d+/, 'linear_alpha: lots'));
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(['config.process[0].network.linear_alpha']);
    const broken = validateYaml('job: extension\nconfig: [unclosed\n');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.errors[0]?.path).toMatch(/^line \d+:\d+$/);
    // Well-formed YAML that cannot become a value (an alias to no anchor) is an error, not a crash.
    const alias = validateYaml('*-');
    expect(alias.ok).toBe(false);
    if (!alias.ok) expect(alias.errors[0]).toMatchObject({ path: '(yaml)' });
  });

  test('names and triggers are validated at the boundary', () => {
    expect(TrainingPlanRequest.safeParse({ dataset: 'x', model: 'flux-dev', name: '../etc' }).success).toBe(false);
    expect(TrainingPlanRequest.safeParse({ dataset: 'x', model: 'flux-dev', name: 'A' }).success).toBe(false);
    expect(TrainingPlanRequest.safeParse({ dataset: '../x', model: 'flux-dev' }).success).toBe(false);
    expect(TrainingPlanRequest.safeParse({ dataset: 'x', model: 'flux-dev', trigger: 'a\nb' }).success).toBe(false);
    expect(TrainingPlanRequest.safeParse({ dataset: 'x', model: 'flux-dev', preset: '12gb-quick' }).success).toBe(false);
  });
});

describe('through the studio', () => {
  let studio: Studio;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir();
    makeDataset(path.join(dataDir, 'datasets', 'Faces set'), 3);
    fs.writeFileSync(path.join(dataDir, 'datasets', 'Faces set', 'dataset.json'), JSON.stringify({ trigger: 'zxq' }));
    studio = await makeStudio({ dataDir });
  });
  afterAll(() => studio.close());

  test('options list datasets (with their trigger), models, presets; the local target explains what is missing', async () => {
    const o = (await studio.dispatch('training.options', {})) as { ok: true; data: { datasets: unknown[]; models: unknown[]; presets: unknown[]; targets: { id: string; ready: boolean; reason: string | null }[] } };
    expect(o.ok).toBe(true);
    expect(o.data.datasets).toEqual([{ name: 'Faces set', imageCount: 3, trigger: 'zxq' }]);
    expect(o.data.models).toHaveLength(4);
    expect(o.data.presets).toHaveLength(9);
    expect(o.data.targets[0]).toMatchObject({ id: 'local', ready: false });
    expect(o.data.targets[0]?.reason).toMatch(/Settings/);
  });

  test('plan through dispatch: default name, dataset trigger, warnings; bad values name the field', async () => {
    const r = (await studio.dispatch('training.plan', { dataset: 'Faces set', model: 'flux-dev' })) as { ok: true; data: { name: string; yaml: string; warnings: string[] } };
    expect(r.ok).toBe(true);
    expect(r.data.name).toBe('faces_set_flux_dev');
    expect(r.data.yaml).toContain('trigger_word: zxq');
    expect(r.data.warnings.join(' ')).toMatch(/only 3 images/);
    const bad = (await studio.dispatch('training.plan', { dataset: 'Faces set', model: 'flux-dev', steps: 0 })) as { ok: false; error: { field: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'steps' } });
    const missing = (await studio.dispatch('training.plan', { dataset: 'nope', model: 'flux-dev' })) as { ok: false; error: { field: string } };
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', field: 'dataset' } });
    const v = (await studio.dispatch('training.validate', { yaml: r.data.yaml.replace('optimizer: adamw8bit', 'optimizer: sgd') })) as { ok: true; data: { ok: boolean; errors: { path: string }[] } };
    expect(v.data.ok).toBe(false);
    expect(v.data.errors[0]?.path).toBe('config.process[0].train.optimizer');
  });

  test('`train plan --print` prints the YAML that would run (valid, pod paths)', async () => {
    const out = await runCliInProcess(['train', 'plan', '--data-dir', dataDir, '--dataset', 'Faces set', '--model', 'flux-schnell', '--preset', '48gb-quick', '--trigger', 'tok', '--steps', '300', '--rank', '4', '--name', 'cli_run', '--print']);
    const v = validateYaml(out);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.config.config.name).toBe('cli_run');
    expect(v.config.config.process[0]).toMatchObject({ trigger_word: 'tok', network: { linear: 4, linear_alpha: 4 }, train: { steps: 300 } });
    expect(v.config.config.process[0]?.model.assistant_lora_path).toBe('ostris/FLUX.1-schnell-training-adapter');
    expect(out.startsWith('# flux-studio training plan')).toBe(true);
  });
});
