// The wizard's side of training: what it offers (models, presets, datasets, targets), the
// plan (the ai-toolkit YAML the choices produce, every field explicit, with warnings) and
// validation of edited YAML.
import fs from 'node:fs';
import path from 'node:path';
import {
  RUNPOD_NEW_TARGET,
  TRAINING_GPUS,
  TRAINING_LEVELS,
  TRAINING_MODELS,
  type TrainingPlan,
  type TrainingPlanRequest,
  type TrainingPreset,
} from '@shared/contract/training';
import { StudioError } from '../core/studio-error';
import { buildConfig, configToYaml, PlanError, presetValues, validateYaml, type TrainingCatalog, type TrainingConfig } from './config';
import type { DatasetSource, TrainingTargets } from './targets';

export interface PlannerDeps {
  catalog: TrainingCatalog;
  targets: TrainingTargets;
  datasets: DatasetSource;
  runExists(name: string): boolean;
}

export class TrainingPlanner {
  constructor(private readonly deps: PlannerDeps) {}

  async options() {
    const { catalog } = this.deps;
    const targets = await this.deps.targets.list();
    const datasets = await this.deps.datasets.list();
    return {
      models: TRAINING_MODELS.map((id) => ({
        id,
        label: catalog.templates[id].label,
        description: catalog.templates[id].description,
        samplePrompts: catalog.templates[id].sample_prompts,
      })),
      presets: TRAINING_GPUS.flatMap((g) =>
        TRAINING_LEVELS.map((l) => {
          const id = `${g}gb-${l}` as TrainingPreset;
          return { id, gpu: g, level: l, label: `${catalog.gpus[g].label} · ${catalog.levels[l].label}`, values: presetValues(catalog, 'flux-dev', id) };
        }),
      ),
      datasets: datasets.map((d) => ({ name: d.name, imageCount: d.imageCount, trigger: d.trigger ?? null })),
      targets: targets.map(({ id, label, ready, reason }) => ({ id, label, ready, reason })),
      defaults: { preset: '24gb-standard' as TrainingPreset, target: targets.find((t) => t.ready)?.id ?? null },
    };
  }

  async layoutFor(targetId: string | undefined) {
    const targets = await this.deps.targets.list();
    // A new RunPod pod rents a GPU: only when asked for by name.
    const t = targetId ? targets.find((x) => x.id === targetId) : (targets.find((x) => x.ready && x.id !== RUNPOD_NEW_TARGET) ?? null);
    if (targetId && !t) throw new StudioError('not_found', `training.plan: target: no training target ${targetId}`, 'target');
    return { id: t?.id ?? 'pod', layout: t?.layout ?? { datasetsDir: '/workspace/datasets', trainingsDir: '/workspace/trainings' } };
  }

  async plan(req: TrainingPlanRequest): Promise<TrainingPlan & { config: TrainingConfig }> {
    const datasets = await this.deps.datasets.list();
    const ds = datasets.find((d) => d.name === req.dataset);
    if (!ds) throw new StudioError('not_found', `training.plan: dataset: no dataset named ${req.dataset}`, 'dataset');
    const trigger = req.trigger ?? ds.trigger;
    const { id, layout } = await this.layoutFor(req.target);
    let config: TrainingConfig;
    try {
      config = buildConfig(this.deps.catalog, { ...req, ...(trigger ? { trigger } : {}) }, layout);
    } catch (err) {
      if (err instanceof PlanError) throw new StudioError('invalid_input', `training.plan: ${err.message}`, err.errors[0]?.path);
      throw err;
    }
    const warnings: string[] = [];
    if (ds.imageCount === 0) warnings.push(`Dataset ${ds.name} has no images: ai-toolkit will stop with "no images found".`);
    else if (ds.imageCount < 5) warnings.push(`Dataset ${ds.name} has only ${ds.imageCount} images; 10–30 usually work better.`);
    if (!trigger) warnings.push('No trigger word: [trigger] is removed from the sample prompts and nothing is prepended to captions.');
    if (req.baseModel) {
      // Only this computer's folders can be checked without connecting; a pod's path is checked by ai-toolkit.
      if (id === 'local' && !fs.existsSync(path.join(req.baseModel, 'model_index.json'))) {
        warnings.push(`Base model ${req.baseModel} is not a diffusers folder (no model_index.json): ai-toolkit will fail to load it.`);
      }
    }
    if (this.deps.runExists(config.config.name)) warnings.push(`A run named ${config.config.name} exists: pick another name, or resume that run.`);
    const base = req.baseModel ? `, base model ${req.baseModel} (local folder)` : '';
    const header = `flux-studio training plan: ${req.model}${base}, preset ${req.preset}, dataset ${req.dataset}, target ${id}\nEvery field is explicit; edit with care (a missing network block means a full fine-tune).`;
    return { name: config.config.name, target: id, yaml: configToYaml(config, header), warnings, config };
  }

  validate(yaml: string) {
    const r = validateYaml(yaml);
    if (r.ok) return { ok: true, name: r.config.config.name, errors: [] };
    return { ok: false, name: null, errors: r.errors };
  }
}
